//! `@authorize` as NpgsqlRest enforces it, before the routine runs.

/// Why a caller may not call an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// The endpoint needs an authenticated user and the caller is anonymous.
    Anonymous,
    /// The endpoint lists roles and the caller has none of them.
    MissingRole { required: Vec<String> },
}

/// Checks a caller against an endpoint. `user_roles` None means anonymous;
/// Some (possibly empty) an authenticated user with those names: their
/// roles, user id and user name (NpgsqlRest's `HasAuthorizeRoleMatch`). An
/// endpoint that lists roles needs an authenticated user even after
/// `allow_anonymous`, as in NpgsqlRest. Roles compare case-insensitively.
pub fn authorize<'a>(
    requires_authorization: bool,
    authorize_roles: &[String],
    user_roles: Option<impl IntoIterator<Item = &'a str>>,
) -> Result<(), Denied> {
    if !requires_authorization && authorize_roles.is_empty() {
        return Ok(());
    }
    let Some(user_roles) = user_roles else {
        return Err(Denied::Anonymous);
    };
    if authorize_roles.is_empty() {
        return Ok(());
    }
    if user_roles
        .into_iter()
        .any(|name| has_role(authorize_roles, name.trim()))
    {
        Ok(())
    } else {
        Err(Denied::MissingRole {
            required: authorize_roles.to_vec(),
        })
    }
}

/// Whether `name` is one of `roles` (lower-cased when the comment was
/// parsed) ignoring case; an ASCII name is compared without lower-casing
/// a copy.
fn has_role(roles: &[String], name: &str) -> bool {
    if name.is_ascii() {
        roles.iter().any(|role| role.eq_ignore_ascii_case(name))
    } else {
        roles.contains(&name.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization() {
        let roles = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let admin = roles(&["admin"]);
        let cases: Vec<(bool, Vec<String>, Option<Vec<String>>, Result<(), Denied>)> = vec![
            (false, vec![], None, Ok(())),
            (false, vec![], Some(vec![]), Ok(())),
            (true, vec![], None, Err(Denied::Anonymous)),
            (true, vec![], Some(vec![]), Ok(())),
            (true, vec![], Some(roles(&["anything"])), Ok(())),
            (true, admin.clone(), None, Err(Denied::Anonymous)),
            (
                true,
                admin.clone(),
                Some(vec![]),
                Err(Denied::MissingRole {
                    required: admin.clone(),
                }),
            ),
            (
                true,
                admin.clone(),
                Some(roles(&["user"])),
                Err(Denied::MissingRole {
                    required: admin.clone(),
                }),
            ),
            (true, admin.clone(), Some(roles(&["Admin"])), Ok(())),
            (true, admin.clone(), Some(roles(&["user", "ADMIN"])), Ok(())),
            (true, admin.clone(), Some(roles(&[" admin "])), Ok(())),
            (false, admin.clone(), None, Err(Denied::Anonymous)),
            (false, admin.clone(), Some(roles(&["admin"])), Ok(())),
            (true, roles(&["é"]), Some(roles(&["É"])), Ok(())),
        ];
        for (requires, required_roles, user, expected) in cases {
            let got = authorize(
                requires,
                &required_roles,
                user.as_deref().map(|u| u.iter().map(String::as_str)),
            );
            assert_eq!(got, expected, "{requires} {required_roles:?} {user:?}");
        }
    }
}
