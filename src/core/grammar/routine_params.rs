//! The routine's parameters as NpgsqlRest's comment parser sees them: each
//! has an actual name (the PostgreSQL one) and a converted name (camelCase,
//! what requests use), and `param` lines can rename them for later lines.

use crate::core::naming::camel_case;

#[derive(Debug, Clone)]
struct Param {
    actual: String,
    converted: String,
}

/// The parameters, when the routine is known. An empty list means "not
/// known" (`parse_annotations` has no routine), so nothing is checked.
#[derive(Debug, Clone, Default)]
pub struct RoutineParams {
    params: Vec<Param>,
}

impl RoutineParams {
    pub fn new(names: &[String]) -> Self {
        let params = names
            .iter()
            .map(|name| Param {
                actual: name.clone(),
                converted: camel_case(name),
            })
            .collect();
        RoutineParams { params }
    }

    /// Are names checked against the routine's parameters?
    pub fn known(&self) -> bool {
        !self.params.is_empty()
    }

    /// An actual name, exactly (NpgsqlRest's `OriginalParamsHash`).
    pub fn has_actual(&self, name: &str) -> bool {
        self.params.iter().any(|p| p.actual == name)
    }

    /// The parameter whose actual or converted name is exactly `name`.
    pub fn find_exact(&self, name: &str) -> Option<usize> {
        self.params
            .iter()
            .position(|p| p.actual == name || p.converted == name)
    }

    /// The parameter whose actual or converted name is `name`, ignoring case.
    pub fn find_ignore_case(&self, name: &str) -> Option<usize> {
        let name = name.to_lowercase();
        self.params
            .iter()
            .position(|p| p.actual.to_lowercase() == name || p.converted.to_lowercase() == name)
    }

    pub fn actual(&self, index: usize) -> Option<&str> {
        self.params.get(index).map(|p| p.actual.as_str())
    }

    /// A `param` line's rename: later lines know the parameter by its new name.
    pub fn rename(&mut self, index: usize, new_name: &str) {
        if let Some(p) = self.params.get_mut(index) {
            p.actual = new_name.to_string();
            p.converted = new_name.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_renames() {
        let mut params = RoutineParams::new(&["_user_id".to_string(), "Name".to_string()]);
        assert!(params.known());
        assert!(params.has_actual("_user_id") && !params.has_actual("userId"));
        assert_eq!(params.find_exact("userId"), Some(0));
        assert_eq!(params.find_exact("name"), Some(1));
        assert_eq!(params.find_exact("NAME"), None);
        assert_eq!(params.find_ignore_case("NAME"), Some(1));
        params.rename(0, "uid");
        assert_eq!(params.find_exact("uid"), Some(0));
        assert_eq!(params.find_exact("userId"), None);
        assert_eq!(params.actual(0), Some("uid"));
        assert!(!RoutineParams::new(&[]).known());
    }
}
