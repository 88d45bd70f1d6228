//! Reference HTTP front-end for the `npgsqlrest_logout` extension.
//!
//! It runs the whole loop a real front-end runs: `POST /login` issues a
//! cookie session and a bearer token, every other request goes to one
//! `handle_logout(method, path, args, user_roles, user_claims, ip_address,
//! headers)` call with the session's claims and the client's address (the
//! database fills user parameters and the user context from them), and the
//! proxy ends exactly the authentication schemes the database names
//! (an empty answer means every scheme this front-end has). Sessions live in
//! memory: this is a reference to read and test against, not a production
//! server.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio_postgres::{Client, NoTls, Statement};

const COOKIES: &str = "Cookies";
const BEARER: &str = "Bearer";
const COOKIE_NAME: &str = "session";
/// Connections kept open, so each backend keeps the extension's caches
/// (parsed endpoints, prepared calls) warm across requests.
const POOL_SIZE: usize = 4;

/// The application's `@login` routine (see `fixture.sql`): it decides who
/// may log in and with which roles; the proxy only issues the sessions.
const LOGIN_SQL: &str = "select user_id, roles from app_login($1::int, $2::text[])";
/// The one call: the database checks `@authorize` against the claims,
/// fills server-side parameters and the (transaction-local) user context
/// from them, validates, runs the routine and names the schemes.
const LOGOUT_SQL: &str =
    "select handle_logout($1, $2, $3::jsonb, $4::text[], $5::jsonb, $6::text, $7::jsonb)";

/// Settings from the environment; a bad one stops the proxy at startup.
struct Config {
    listen: SocketAddr,
    pg: tokio_postgres::Config,
    schemes: Vec<String>,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

impl Config {
    fn from_env() -> Result<Config, String> {
        let listen: SocketAddr = env_or("PROXY_LISTEN", "127.0.0.1:8080")
            .parse()
            .map_err(|e| format!("PROXY_LISTEN: {e}"))?;
        if !listen.ip().is_loopback() {
            return Err(format!(
                "PROXY_LISTEN: {listen} is not a loopback address; this reference front-end only listens locally"
            ));
        }
        let port: u16 = env_or("PG_PORT", "5432")
            .parse()
            .map_err(|e| format!("PG_PORT: {e}"))?;
        let user = env_or("PG_USER", "postgres");
        let mut pg = tokio_postgres::Config::new();
        // A host starting with `/` is a directory holding the Unix socket.
        pg.host(env_or("PG_HOST", "/var/run/postgresql"))
            .port(port)
            .user(&user)
            .dbname(env_or("PG_DATABASE", &user))
            .application_name("npgsqlrest-logout-proxy");
        let schemes: Vec<String> = env_or("PROXY_SCHEMES", "Cookies,Bearer")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        // Scheme names are case-sensitive, as in ASP.NET.
        if let Some(bad) = schemes.iter().find(|s| *s != COOKIES && *s != BEARER) {
            return Err(format!(
                "PROXY_SCHEMES: unknown scheme {bad:?}; this front-end implements Cookies and Bearer"
            ));
        }
        if schemes.is_empty() {
            return Err("PROXY_SCHEMES: name at least one of Cookies, Bearer".into());
        }
        Ok(Config {
            listen,
            pg,
            schemes,
        })
    }
}

/// One database connection with its statements prepared once.
struct Conn {
    client: Client,
    login: Statement,
    logout: Statement,
}

impl Conn {
    /// Preparing also checks, at startup, that the extension and the login
    /// routine exist, instead of answering 404 for everything later.
    async fn open(config: &tokio_postgres::Config) -> Result<Conn, tokio_postgres::Error> {
        let (client, connection) = config.connect(NoTls).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                eprintln!("proxy: database connection lost: {e}");
            }
        });
        Ok(Conn {
            login: client.prepare(LOGIN_SQL).await?,
            logout: client.prepare(LOGOUT_SQL).await?,
            client,
        })
    }
}

/// A few long-lived connections taken in turn; a lost one is reopened.
struct Pool {
    config: tokio_postgres::Config,
    slots: Vec<tokio::sync::Mutex<Conn>>,
    next: AtomicUsize,
}

impl Pool {
    async fn open(config: tokio_postgres::Config, size: usize) -> Result<Pool, String> {
        let mut slots = Vec::with_capacity(size);
        for _ in 0..size {
            let conn = Conn::open(&config).await.map_err(|e| describe(&e))?;
            slots.push(tokio::sync::Mutex::new(conn));
        }
        Ok(Pool {
            config,
            slots,
            next: AtomicUsize::new(0),
        })
    }

    async fn get(&self) -> Result<tokio::sync::MutexGuard<'_, Conn>, ApiError> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let mut conn = self.slots[i].lock().await;
        if conn.client.is_closed() {
            *conn = Conn::open(&self.config).await?;
        }
        Ok(conn)
    }
}

/// What a session token stands for, and which scheme issued it (a cookie
/// value is no bearer token and vice versa).
#[derive(Clone)]
struct Session {
    user_id: i32,
    roles: Vec<String>,
    scheme: &'static str,
}

/// The still-valid credentials one request presented: (token, session).
struct Caller {
    cookie: Option<(String, Session)>,
    bearer: Option<(String, Session)>,
}

impl Caller {
    /// The authenticated user, or `None` for anonymous. Credentials of two
    /// different users are refused rather than guessed between.
    fn identity(&self) -> Result<Option<&Session>, ApiError> {
        match (&self.cookie, &self.bearer) {
            (Some((_, c)), Some((_, b))) if c.user_id != b.user_id => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "the session cookie and the bearer token belong to different users",
            )),
            (Some((_, s)), _) | (None, Some((_, s))) => Ok(Some(s)),
            (None, None) => Ok(None),
        }
    }

    fn via(&self) -> Vec<&'static str> {
        [&self.cookie, &self.bearer]
            .into_iter()
            .flatten()
            .map(|(_, s)| s.scheme)
            .collect()
    }
}

struct App {
    sessions: Mutex<HashMap<String, Session>>,
    db: Pool,
    schemes: Vec<String>,
}

impl App {
    /// The lock is never held across an await and every update is a single
    /// insert or remove, so even a poisoned map is consistent.
    fn sessions(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn has(&self, scheme: &str) -> bool {
        self.schemes.iter().any(|s| s == scheme)
    }

    /// Looks up the `session` cookie and the `Authorization: Bearer` token.
    fn caller(&self, headers: &HeaderMap) -> Caller {
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE_NAME)
            .map(|(_, value)| value.to_owned());
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(kind, _)| kind.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned());
        let sessions = self.sessions();
        let find = |token: Option<String>, scheme: &str| {
            let token = token?;
            let session = sessions.get(&token).filter(|s| s.scheme == scheme)?;
            Some((token, session.clone()))
        };
        Caller {
            cookie: find(cookie, COOKIES),
            bearer: find(bearer, BEARER),
        }
    }
}

/// An error answer, `{"error": message}`; the cause goes only to the log.
struct ApiError {
    status: StatusCode,
    message: String,
    cause: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError {
            status,
            cause: message.clone(),
            message,
        }
    }

    /// Internal details are logged, not shown to the client.
    fn internal(cause: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "internal error".into(),
            cause: cause.into(),
        }
    }
}

fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("SQLSTATE {}: {}", db.code().code(), db.message()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("database: {e}: {source}"),
            None => format!("database: {e}"),
        },
    }
}

/// The extension's SQLSTATEs as HTTP statuses (see the README).
impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> ApiError {
        let Some(db) = e.as_db_error() else {
            return ApiError::internal(describe(&e));
        };
        let status = match db.code().code() {
            "28000" => StatusCode::UNAUTHORIZED,
            "42501" => StatusCode::FORBIDDEN,
            "42883" => StatusCode::NOT_FOUND,
            // A failed `validate` rule names its HTTP status in the detail.
            "22023" => validation_status(db.detail()).unwrap_or(StatusCode::BAD_REQUEST),
            "22P02" => StatusCode::BAD_REQUEST,
            _ => return ApiError::internal(describe(&e)),
        };
        ApiError {
            status,
            message: db.message().to_owned(),
            cause: describe(&e),
        }
    }
}

/// The status of a failed validation rule: its detail ends with
/// `(HTTP status NNN)`.
fn validation_status(detail: Option<&str>) -> Option<StatusCode> {
    let detail = detail?.strip_suffix(')')?;
    let (_, code) = detail.rsplit_once("(HTTP status ")?;
    StatusCode::from_u16(code.parse().ok()?).ok()
}

/// Carries an error's cause from the handler to the request log.
#[derive(Clone)]
struct Cause(String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({ "error": self.message }))).into_response();
        response.extensions_mut().insert(Cause(self.cause));
        response
    }
}

/// 32 bytes from the OS's generator, hex-encoded: unguessable session keys.
fn new_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(format!("random: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8], empty: &str) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        empty.as_bytes()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("request body is not valid JSON: {e}"),
        )
    })
}

#[derive(Deserialize)]
struct LoginRequest {
    user_id: i32,
    #[serde(default)]
    roles: Vec<String>,
}

/// Asks the `@login` routine, then issues a session for every configured
/// scheme: a `session` cookie and a bearer token in the body.
async fn login(State(app): State<Arc<App>>, body: Bytes) -> Result<Response, ApiError> {
    let request: LoginRequest = parse_json(&body, "")?;
    let row = {
        let conn = app.db.get().await?;
        conn.client
            .query_opt(&conn.login, &[&request.user_id, &request.roles])
            .await?
    };
    let Some(row) = row else {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "login refused"));
    };
    let user_id: i32 = row.try_get(0)?;
    let roles: Vec<String> = row.try_get(1)?;

    let mut body = json!({ "user_id": user_id, "roles": roles });
    let mut cookie = None;
    for scheme in [COOKIES, BEARER].into_iter().filter(|s| app.has(s)) {
        let token = new_token()?;
        let session = Session {
            user_id,
            roles: roles.clone(),
            scheme,
        };
        app.sessions().insert(token.clone(), session);
        if scheme == COOKIES {
            cookie = Some(format!(
                "{COOKIE_NAME}={token}; HttpOnly; Path=/; SameSite=Lax"
            ));
        } else {
            body["token"] = Value::String(token);
        }
    }
    let mut response = Json(body).into_response();
    if let Some(cookie) = cookie {
        let value =
            HeaderValue::from_str(&cookie).map_err(|e| ApiError::internal(e.to_string()))?;
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Which of the presented credentials still work (not sent to the database).
async fn me(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let caller = app.caller(&headers);
    match caller.identity()? {
        Some(session) => {
            Ok(Json(json!({ "user_id": session.user_id, "via": caller.via() })).into_response())
        }
        None => Err(ApiError::new(StatusCode::UNAUTHORIZED, "not signed in")),
    }
}

/// Everything else: the database routes the request to a logout endpoint,
/// checks `@authorize`, runs the routine and names the schemes to end.
async fn forward(
    State(app): State<Arc<App>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = app.caller(&headers);
    // The session's claims; NULL for an anonymous caller.
    let claims: Option<Value> = caller
        .identity()?
        .map(|s| json!({ "user_id": s.user_id.to_string(), "user_roles": s.roles }));
    let ip_address = client.ip().to_string();
    let request_headers: Value = headers
        .iter()
        .filter(|(name, _)| *name != header::COOKIE && *name != header::AUTHORIZATION)
        .filter_map(|(name, value)| Some((name.as_str().to_owned(), json!(value.to_str().ok()?))))
        .collect::<serde_json::Map<String, Value>>()
        .into();
    let args: Value = parse_json(&body, "{}")?;
    let path = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());

    let schemes = {
        let mut conn = app.db.get().await?;
        let Conn { client, logout, .. } = &mut *conn;
        let tx = client.transaction().await?;
        let no_roles: Option<Vec<String>> = None;
        let row = tx
            .query_one(
                &*logout,
                &[&method.as_str(), &path, &args, &no_roles, &claims, &ip_address, &request_headers],
            )
            .await?;
        let named: Vec<String> = row.try_get(0)?;
        let schemes = if named.is_empty() {
            app.schemes.clone()
        } else {
            named
        };
        // Like ASP.NET signing out of an unregistered scheme, this is a
        // server error; returning before commit rolls the routine back.
        if let Some(bad) = schemes.iter().find(|s| !app.has(s)) {
            return Err(ApiError::internal(format!(
                "the logout routine named scheme {bad:?}, which this front-end does not have"
            )));
        }
        tx.commit().await?;
        schemes
    };

    let mut response = Json(json!({ "signed_out": schemes })).into_response();
    for scheme in &schemes {
        let (presented, clear_cookie) = match scheme.as_str() {
            COOKIES => (&caller.cookie, true),
            _ => (&caller.bearer, false),
        };
        if let Some((token, _)) = presented {
            app.sessions().remove(token);
        }
        if clear_cookie {
            let expired = format!("{COOKIE_NAME}=; Max-Age=0; Path=/; HttpOnly");
            let value =
                HeaderValue::from_str(&expired).map_err(|e| ApiError::internal(e.to_string()))?;
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// One line per request on stderr. The query is left out: it may carry
/// arguments.
async fn log(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let start = Instant::now();
    let response = next.run(request).await;
    let cause = response
        .extensions()
        .get::<Cause>()
        .map(|c| format!(" ({})", c.0))
        .unwrap_or_default();
    eprintln!(
        "{method} {path} {} {:.1}ms{cause}",
        response.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    response
}

async fn run() -> Result<(), String> {
    let config = Config::from_env()?;
    let db = Pool::open(config.pg, POOL_SIZE).await?;
    let app = Arc::new(App {
        sessions: Mutex::new(HashMap::new()),
        db,
        schemes: config.schemes,
    });
    let router = Router::new()
        .route("/login", post(login))
        .route("/me", get(me))
        .fallback(forward)
        .layer(middleware::from_fn(log))
        .with_state(Arc::clone(&app));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("listen on {}: {e}", config.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!(
        "proxy: listening on http://{address} (schemes: {})",
        app.schemes.join(",")
    );
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
        .map_err(|e| format!("serve: {e}"))
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("proxy: {e}");
        std::process::exit(1);
    }
}
