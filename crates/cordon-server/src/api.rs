//! Endpoints, request and response types. The OpenAPI document is generated from the
//! annotations here.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cordon_engine::index::ListIndex;
use cordon_engine::screen::{query_of, screen_any, screen_objects, OutputFormat, ScreenOptions};
use cordon_match::{Feature, Hit, Query, SCREEN_THRESHOLD};
use cordon_store::{Alert, AlertCounts, AlertFilter, AlertStatus};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::error::{ApiError, ErrorBody, JsonBody, Params, PathParam};
use crate::AppState;

type St = State<Arc<AppState>>;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/match/{dataset}", post(match_entities))
        .route("/search/{dataset}", get(search))
        .route("/entities/{id}", get(entity))
        .route("/alerts", get(list_alerts))
        .route("/alerts/{id}", get(get_alert))
        .route("/alerts/{id}/decision", post(decide))
        .route("/screen", post(screen))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
}

/// The OpenAPI document of the server.
#[derive(OpenApi)]
#[openapi(
    info(title = "Cordon", description = "Sanctions screening with Korean-aware name matching; yente-compatible matching API, alerts and decisions."),
    paths(match_entities, search, entity, list_alerts, get_alert, decide, screen, healthz, readyz, metrics),
    components(schemas(MatchRequest, EntityExample, MatchResponse, EntityMatches, ScoredEntity, Total, SearchResponse, DecisionRequest, ScreenRequest, ScreenResponse, ScreenedRow, ScreenMatch, ErrorBody, StatusBody)),
    modifiers(&KeyScheme)
)]
pub struct ApiDoc;

struct KeyScheme;

impl utoipa::Modify for KeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`ApiKey <key>` (or `Bearer <key>`, or the header `X-API-Key: <key>`); `cordon keys create NAME` makes one",
            ))),
        );
    }
}

fn ready_index(state: &AppState) -> Result<Arc<ListIndex>, ApiError> {
    state.index().ok_or_else(|| {
        let why = state.load_error.lock().unwrap_or_else(|p| p.into_inner()).clone();
        ApiError::unavailable(why.unwrap_or_else(|| "the lists are loading".into()))
    })
}

/// Sources a dataset name stands for: `default` (or `all`) is every list.
fn dataset_filter(index: &ListIndex, dataset: &str) -> Result<Option<String>, ApiError> {
    if dataset == "default" || dataset == "all" {
        return Ok(None);
    }
    if index.sources().contains(&dataset) {
        return Ok(Some(dataset.to_string()));
    }
    Err(ApiError::not_found(format!(
        "unknown dataset {dataset:?}; known: default, {}",
        index.sources().join(", ")
    )))
}

// ---------------------------------------------------------------------------------------------
// /match

/// A party to match, in FollowTheMoney form (as yente takes it).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct EntityExample {
    /// Optional id, echoed back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// FtM schema: `Person`, `Company`, `Organization`, `LegalEntity`, `Vessel`, `CryptoWallet`, …
    #[schema(example = "Person")]
    pub schema: String,
    /// FtM properties, each a string or a list: `name`, `alias`, `firstName`, `lastName`,
    /// `birthDate`, `nationality`, `citizenship`, `country`, `gender`, `idNumber`,
    /// `passportNumber`, `registrationNumber`, `publicKey`.
    #[schema(value_type = Object, example = json!({"name": ["Kim Jong Un"], "birthDate": ["1984-01-08"]}))]
    pub properties: BTreeMap<String, Value>,
}

/// The body of `POST /match/{dataset}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MatchRequest {
    /// Parties to match, by a name of the caller's choosing.
    pub queries: BTreeMap<String, EntityExample>,
    /// Accepted for yente compatibility and ignored: Cordon's scorer has no tunable weights.
    #[serde(default)]
    #[allow(dead_code)]
    #[schema(value_type = Object)]
    pub weights: BTreeMap<String, Value>,
}

/// Parameters of `POST /match/{dataset}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchParams {
    /// Score from which a result is a match (`"match": true`); default 0.6.
    #[param(minimum = 0.0, maximum = 1.0)]
    pub threshold: Option<f64>,
    /// Lowest score returned; default the smaller of 0.5 and the threshold.
    #[param(minimum = 0.0, maximum = 1.0)]
    pub cutoff: Option<f64>,
    /// Results per query; default 5, at most 500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
    /// Accepted for yente compatibility; Cordon has one algorithm.
    #[allow(dead_code)]
    pub algorithm: Option<String>,
}

/// `{"value": N, "relation": "eq"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Total {
    /// Count.
    pub value: usize,
    /// Always `eq`.
    pub relation: &'static str,
}

/// One result: the listed entity in FtM form with its score.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoredEntity {
    /// Store id (`un:KPi.033`, `ofac:20157`).
    pub id: String,
    /// Primary name.
    pub caption: String,
    /// FtM schema.
    pub schema: String,
    /// FtM properties (nested entities inline).
    #[schema(value_type = Object)]
    pub properties: Value,
    /// Lists it is on.
    pub datasets: Vec<String>,
    /// Other ids of the same entity (none).
    pub referents: Vec<String>,
    /// A sanctioned party.
    pub target: bool,
    /// Score in [0, 1].
    pub score: f64,
    /// Score at or above the threshold.
    #[serde(rename = "match")]
    pub is_match: bool,
    /// Score per feature: the overall score under `cordon`, the name score under `name`, and
    /// what birth date, gender, nationality, id number and wallet added (`birth_date`, …).
    #[schema(value_type = Object)]
    pub features: BTreeMap<String, f64>,
    /// Why, per feature (`name`, `birthDate`, `nationality`, `idNumber`, `publicKey`, …).
    #[schema(value_type = Object)]
    pub explanations: BTreeMap<String, String>,
}

/// Answer to one query.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityMatches {
    /// 200, or 400 when the query cannot be matched (see `detail`).
    pub status: u16,
    /// Results, best first.
    pub results: Vec<ScoredEntity>,
    /// Number of results.
    pub total: Total,
    /// The query as understood.
    pub query: EntityExample,
    /// Why the query failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Values that could not be used (an unknown country, a malformed date).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The answer of `POST /match/{dataset}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchResponse {
    /// One answer per query name.
    pub responses: BTreeMap<String, EntityMatches>,
    /// The features the scorer uses.
    #[schema(value_type = Object)]
    pub matcher: Value,
    /// Results per query.
    pub limit: usize,
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().flat_map(strings).collect(),
        Value::Null => Vec::new(),
        Value::Object(_) => Vec::new(),
        other => vec![other.to_string()],
    }
    .into_iter()
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
    .collect()
}

/// The queries an FtM example stands for: one per name it goes by, sharing its other facts.
fn queries_of(ex: &EntityExample) -> Result<(Vec<Query>, Vec<String>), String> {
    let prop = |keys: &[&str]| -> Vec<String> { keys.iter().flat_map(|k| ex.properties.get(*k).map(strings).unwrap_or_default()).collect() };
    let mut names = prop(&["name", "alias", "previousName", "weakAlias"]);
    let first = prop(&["firstName"]).join(" ");
    let middle = prop(&["middleName", "secondName", "fatherName"]).join(" ");
    let last = prop(&["lastName"]).join(" ");
    let parts: Vec<&str> = [first.as_str(), middle.as_str(), last.as_str()].into_iter().filter(|s| !s.is_empty()).collect();
    if !parts.is_empty() {
        names.push(parts.join(" "));
    }
    names.dedup();
    let schema = match ex.schema.as_str() {
        "Person" => Some("person"),
        "Company" | "Organization" | "PublicBody" | "Vessel" | "Airplane" => Some("organization"),
        _ => None,
    };
    let dob = prop(&["birthDate"]).into_iter().next();
    let nationality = prop(&["nationality", "citizenship", "country", "jurisdiction"]).into_iter().next();
    let gender = prop(&["gender"]).into_iter().next();
    let id_number = prop(&[
        "idNumber",
        "passportNumber",
        "registrationNumber",
        "taxNumber",
        "imoNumber",
        "swiftBic",
        "leiCode",
    ])
    .into_iter()
    .next();
    let wallet = prop(&["publicKey", "wallet"]).into_iter().next();
    if names.is_empty() && wallet.is_none() {
        return Err("the query has no name (properties name, alias, firstName/lastName) and no publicKey".into());
    }
    let readings: Vec<Option<String>> = if names.is_empty() {
        vec![None]
    } else {
        names.into_iter().map(Some).collect()
    };
    let mut queries = Vec::new();
    let mut warnings = Vec::new();
    for name in readings {
        let get = |k: &str| -> Option<String> {
            match k {
                "name" => name.clone(),
                "dob" => dob.clone(),
                "nationality" => nationality.clone(),
                "gender" => gender.clone(),
                "id_number" => id_number.clone(),
                "wallet" => wallet.clone(),
                "schema" => schema.map(str::to_string),
                _ => None,
            }
        };
        let (q, w) = query_of(&get)?;
        queries.push(q);
        for w in w {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
    }
    Ok((queries, warnings))
}

/// The explanation of a hit by the FtM property each feature is about.
fn explanations(h: &Hit) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for f in &h.features {
        let e = out.entry(f.feature.property().to_string()).or_default();
        if !e.is_empty() {
            e.push_str("; ");
        }
        e.push_str(&f.text);
    }
    out
}

/// The overall score under `cordon`, and each feature's part under its name.
fn features(h: &Hit, score: f64) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::from([("cordon".to_string(), score)]);
    for f in &h.features {
        *out.entry(f.feature.as_str().to_string()).or_default() += (f.score * 1000.0).round() / 1000.0;
    }
    out
}

fn scored(index: &ListIndex, h: &Hit, threshold: f64) -> ScoredEntity {
    let (source, schema, properties) = match index.entity(&h.entity_id) {
        Some((v, e)) => {
            let nested = cordon_lists::ftm::nested(e, &v.source);
            let schema = nested.get("schema").and_then(Value::as_str).unwrap_or("Thing").to_string();
            (v.source.clone(), schema, nested.get("properties").cloned().unwrap_or(Value::Null))
        }
        None => (String::new(), "Thing".into(), Value::Null),
    };
    let score = (h.score * 1000.0).round() / 1000.0;
    ScoredEntity {
        id: h.entity_id.clone(),
        caption: h.caption.clone(),
        schema,
        properties,
        datasets: vec![source],
        referents: Vec::new(),
        target: true,
        score,
        is_match: h.score >= threshold,
        features: features(h, score),
        explanations: explanations(h),
    }
}

/// Match parties against the lists (yente-compatible).
///
/// `dataset` is a list source (`un`, `ofac`, …) or `default` for all of them.
#[utoipa::path(
    post,
    path = "/match/{dataset}",
    params(("dataset" = String, Path, description = "`default` or a list source"), MatchParams),
    request_body = MatchRequest,
    responses(
        (status = 200, description = "One answer per query", body = MatchResponse),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Reads need a key (--keys-for-reads) and none or a bad one was sent", body = ErrorBody),
        (status = 404, description = "Unknown dataset", body = ErrorBody),
        (status = 413, description = "Body or batch too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON (Content-Type)", body = ErrorBody),
        (status = 422, description = "JSON of the wrong shape", body = ErrorBody),
        (status = 503, description = "Lists not loaded", body = ErrorBody)
    )
)]
async fn match_entities(
    State(state): St,
    PathParam(dataset): PathParam<String>,
    Params(params): Params<MatchParams>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<MatchRequest>,
) -> Result<Json<MatchResponse>, ApiError> {
    state.authorize(&headers, false)?;
    let index = ready_index(&state)?;
    let only = dataset_filter(&index, &dataset)?;
    let threshold = params.threshold.unwrap_or(SCREEN_THRESHOLD);
    let cutoff = params.cutoff.unwrap_or(threshold.min(0.5));
    let limit = params.limit.unwrap_or(5);
    if !(0.0..=1.0).contains(&threshold) || !(0.0..=1.0).contains(&cutoff) {
        return Err(ApiError::bad_request("threshold and cutoff are scores between 0 and 1"));
    }
    if limit == 0 || limit > 500 {
        return Err(ApiError::bad_request("limit must be between 1 and 500"));
    }
    if req.queries.is_empty() {
        return Err(ApiError::bad_request(
            "no queries: send {\"queries\": {\"q1\": {\"schema\": \"Person\", \"properties\": {\"name\": [\"...\"]}}}}",
        ));
    }
    if req.queries.len() > state.cfg.max_queries {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{} queries in one request; at most {}", req.queries.len(), state.cfg.max_queries),
        ));
    }
    let responses = tokio::task::spawn_blocking(move || {
        let mut responses = BTreeMap::new();
        for (key, ex) in req.queries {
            let answer = match queries_of(&ex) {
                Ok((queries, warnings)) => {
                    // A dataset filter needs more candidates than it keeps.
                    let want = if only.is_some() { limit * 4 + 20 } else { limit };
                    let mut hits = screen_any(&index.screener, &queries, cutoff, want);
                    if let Some(src) = &only {
                        hits.retain(|h| index.entity(&h.entity_id).is_some_and(|(v, _)| &v.source == src));
                        hits.truncate(limit);
                    }
                    let results: Vec<ScoredEntity> = hits.iter().map(|h| scored(&index, h, threshold)).collect();
                    EntityMatches {
                        status: 200,
                        total: Total {
                            value: results.len(),
                            relation: "eq",
                        },
                        results,
                        query: ex,
                        detail: None,
                        warnings,
                    }
                }
                Err(e) => EntityMatches {
                    status: 400,
                    results: Vec::new(),
                    total: Total { value: 0, relation: "eq" },
                    query: ex,
                    detail: Some(e),
                    warnings: Vec::new(),
                },
            };
            responses.insert(key, answer);
        }
        responses
    })
    .await?;
    Ok(Json(MatchResponse {
        responses,
        matcher: matcher_docs(),
        limit,
    }))
}

fn matcher_docs() -> Value {
    // Keyed like each result's `features`; `property` is the FtM property its explanation is
    // filed under.
    let docs = [
        (Feature::Name, "Names compared part by part, order-free, across romanisations (McCune-Reischauer, Revised, conventional), Hangul, Hanja and Cyrillic; a different given-name syllable is a strong mismatch. The feature's value is the name score the others adjust."),
        (Feature::BirthDate, "Exact date +0.12, day and month swapped +0.08, year/month or range +0.06, within a year 0, clear mismatch -0.2."),
        (Feature::Gender, "A different gender -0.1."),
        (Feature::Nationality, "Supporting evidence only: a match +0.03, a mismatch 0 (forged nationalities must not sink a strong name and date match)."),
        (Feature::IdNumber, "Identity document numbers after normalisation; an exact match sets the score to at least 0.95."),
        (Feature::Wallet, "Wallet addresses, exact, with chain-aware case rules; a listed wallet sets the score to 1."),
    ];
    Value::Object(
        docs.iter()
            .map(|(f, d)| {
                (
                    f.as_str().to_string(),
                    json!({"description": d, "property": f.property(), "coefficient": null, "url": null}),
                )
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// /search, /entities

/// Parameters of `GET /search/{dataset}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The name to look for.
    #[param(min_length = 1, pattern = "\\S")]
    pub q: String,
    /// Results; default 10, at most 500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
    /// `Person` or `Organization` (also `Company`, `LegalEntity` for both).
    pub schema: Option<String>,
    /// Lowest score returned; default 0.3.
    #[param(minimum = 0.0, maximum = 1.0)]
    pub cutoff: Option<f64>,
}

/// The answer of `GET /search/{dataset}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// Entities, best first.
    pub results: Vec<ScoredEntity>,
    /// Number of results.
    pub total: Total,
    /// Results asked for.
    pub limit: usize,
    /// Always 0.
    pub offset: usize,
    /// Not computed (empty).
    #[schema(value_type = Object)]
    pub facets: Value,
}

/// Search the lists by name.
#[utoipa::path(
    get,
    path = "/search/{dataset}",
    params(("dataset" = String, Path, description = "`default` or a list source"), SearchParams),
    responses(
        (status = 200, description = "Entities, best first", body = SearchResponse),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Reads need a key", body = ErrorBody),
        (status = 404, description = "Unknown dataset", body = ErrorBody),
        (status = 503, description = "Lists not loaded", body = ErrorBody)
    )
)]
async fn search(
    State(state): St,
    PathParam(dataset): PathParam<String>,
    Params(p): Params<SearchParams>,
    headers: HeaderMap,
) -> Result<Json<SearchResponse>, ApiError> {
    state.authorize(&headers, false)?;
    let index = ready_index(&state)?;
    let only = dataset_filter(&index, &dataset)?;
    let limit = p.limit.unwrap_or(10);
    if limit == 0 || limit > 500 {
        return Err(ApiError::bad_request("limit must be between 1 and 500"));
    }
    if p.q.trim().is_empty() {
        return Err(ApiError::bad_request("q is empty"));
    }
    let cutoff = p.cutoff.unwrap_or(0.3);
    let schema = p.schema.clone();
    let results = tokio::task::spawn_blocking(move || {
        let get = |k: &str| match k {
            "name" => Some(p.q.clone()),
            "schema" => schema.clone(),
            _ => None,
        };
        let (q, _) = query_of(&get)?;
        let mut hits = index.screener.screen(&q, cutoff, if only.is_some() { limit * 4 + 20 } else { limit });
        if let Some(src) = &only {
            hits.retain(|h| index.entity(&h.entity_id).is_some_and(|(v, _)| &v.source == src));
            hits.truncate(limit);
        }
        Ok::<_, String>(hits.iter().map(|h| scored(&index, h, SCREEN_THRESHOLD)).collect::<Vec<_>>())
    })
    .await?
    .map_err(ApiError::bad_request)?;
    Ok(Json(SearchResponse {
        total: Total {
            value: results.len(),
            relation: "eq",
        },
        results,
        limit,
        offset: 0,
        facets: json!({}),
    }))
}

/// One listed entity in FtM form, nested entities inline.
#[utoipa::path(
    get,
    path = "/entities/{id}",
    params(("id" = String, Path, description = "Store id, e.g. `un:KPi.052`, `ofac:20157`")),
    responses(
        (status = 200, description = "The entity", body = Object),
        (status = 401, description = "Reads need a key", body = ErrorBody),
        (status = 404, description = "Not on an active list", body = ErrorBody),
        (status = 503, description = "Lists not loaded", body = ErrorBody)
    )
)]
async fn entity(State(state): St, PathParam(id): PathParam<String>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    state.authorize(&headers, false)?;
    let index = ready_index(&state)?;
    let Some((v, e)) = index.entity(&id) else {
        return Err(ApiError::not_found(format!("no entity {id:?} on the active lists")));
    };
    let mut body = cordon_lists::ftm::nested(e, &v.source);
    if let Some(obj) = body.as_object_mut() {
        obj.insert("referents".into(), json!([]));
        obj.insert("target".into(), json!(true));
        obj.insert("list_version".into(), json!({"id": v.id, "source": v.source, "issued": v.issued}));
    }
    Ok(Json(body))
}

// ---------------------------------------------------------------------------------------------
// Alerts

/// Parameters of `GET /alerts`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertParams {
    /// `open` (default), `decided`, `false-positive`, `true-match`, `closed`, `all`.
    #[param(pattern = "^(open|decided|false[-_]positive|true[-_]match|closed|all)$")]
    pub status: Option<String>,
    /// Only this dataset.
    pub dataset: Option<String>,
    /// At most this many (default 100, at most 10,000).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<usize>,
}

/// Alerts, newest first.
#[utoipa::path(
    get,
    path = "/alerts",
    params(AlertParams),
    responses(
        (status = 200, description = "`{\"alerts\": [...]}`", body = Object),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 401, description = "Reads need a key", body = ErrorBody)
    )
)]
async fn list_alerts(State(state): St, Params(p): Params<AlertParams>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    state.authorize(&headers, false)?;
    let statuses = cordon_engine::cases::status_filter(p.status.as_deref().unwrap_or("open"))?;
    let limit = p.limit.unwrap_or(100);
    if limit == 0 || limit > 10_000 {
        return Err(ApiError::bad_request("limit must be between 1 and 10000"));
    }
    let filter = AlertFilter {
        statuses,
        dataset: p.dataset,
        limit,
    };
    let st = state.clone();
    let alerts: Vec<Alert> = tokio::task::spawn_blocking(move || st.store().alerts(&filter)).await??;
    Ok(Json(json!({"alerts": alerts})))
}

/// One alert with its decisions.
#[utoipa::path(
    get,
    path = "/alerts/{id}",
    params(("id" = i64, Path, description = "Alert id")),
    responses(
        (status = 200, description = "The alert", body = Object),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "Reads need a key", body = ErrorBody),
        (status = 404, description = "No such alert", body = ErrorBody)
    )
)]
async fn get_alert(State(state): St, PathParam(id): PathParam<i64>, headers: HeaderMap) -> Result<Json<Alert>, ApiError> {
    state.authorize(&headers, false)?;
    let st = state.clone();
    let alert = tokio::task::spawn_blocking(move || st.store().alert(id)).await??;
    alert.map(Json).ok_or_else(|| ApiError::not_found(format!("no alert {id}")))
}

/// The body of `POST /alerts/{id}/decision`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// `false_positive` or `true_match` (dashes work too).
    #[schema(example = "false_positive")]
    pub decision: String,
    /// Why.
    pub note: Option<String>,
}

/// Decide an alert. Needs an API key; the key's name is recorded as who decided. The answer
/// comes after the decision is durably stored.
#[utoipa::path(
    post,
    path = "/alerts/{id}/decision",
    params(("id" = i64, Path, description = "Alert id")),
    request_body = DecisionRequest,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The alert after the decision", body = Object),
        (status = 400, description = "Bad decision", body = ErrorBody),
        (status = 401, description = "No or bad API key", body = ErrorBody),
        (status = 404, description = "No such alert", body = ErrorBody),
        (status = 413, description = "Body or batch too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON (Content-Type)", body = ErrorBody),
        (status = 422, description = "JSON of the wrong shape", body = ErrorBody),
    )
)]
async fn decide(
    State(state): St,
    PathParam(id): PathParam<i64>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<DecisionRequest>,
) -> Result<Json<Alert>, ApiError> {
    let st = state.clone();
    let alert = tokio::task::spawn_blocking(move || {
        let key = st.authorize(&headers, true)?.expect("write endpoints always have a key");
        let decision = AlertStatus::parse(req.decision.trim())
            .filter(|d| matches!(d, AlertStatus::FalsePositive | AlertStatus::TrueMatch))
            .ok_or_else(|| ApiError::bad_request(format!("decision {:?}: use false_positive or true_match", req.decision)))?;
        let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        Ok::<_, ApiError>(st.store().decide(id, decision, note, &format!("key:{}", key.name))?)
    })
    .await??;
    Ok(Json(alert))
}

// ---------------------------------------------------------------------------------------------
// /screen

/// The body of `POST /screen`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScreenRequest {
    /// Records: objects with `id`, `name`, `dob`, `nationality`, `gender`, `id_number`,
    /// `wallet`, `schema` (as in `cordon screen` input files).
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<Map<String, Value>>,
    /// Store the records and raise alerts (needs an API key and a dataset).
    #[serde(default)]
    pub record: bool,
    /// The dataset the records belong to (a roster, a customer file).
    pub dataset: Option<String>,
    /// Lowest score kept; default 0.6.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub threshold: Option<f64>,
    /// Matches per record; default 5, at most 100.
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

/// A count given as a JSON number, `5` or `5.0` (JSON Schema's integers include the latter).
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    match Option::<f64>::deserialize(d)? {
        None => Ok(None),
        Some(x) if x.fract() == 0.0 && (0.0..=1e9).contains(&x) => Ok(Some(x as usize)),
        Some(x) => Err(serde::de::Error::custom(format!("{x} is not a whole number of at most 10^9"))),
    }
}

/// One match of a screened record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenMatch {
    /// Entity id.
    pub entity_id: String,
    /// Its primary name.
    pub caption: String,
    /// Score.
    pub score: f64,
    /// One line per feature.
    pub explanation: Vec<String>,
}

/// One screened record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenedRow {
    /// The record's id.
    pub id: Option<String>,
    /// The screened name.
    pub name: String,
    /// Matches, best first.
    pub matches: Vec<ScreenMatch>,
    /// Values that could not be used.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Why the record could not be screened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The answer of `POST /screen`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenResponse {
    /// One result per record, in order.
    pub results: Vec<ScreenedRow>,
    /// What recording did (when `record` was set).
    #[schema(value_type = Option<Object>)]
    pub recorded: Option<AlertCounts>,
}

/// Screen a batch of records; with `record`, store them and raise alerts (needs an API key).
#[utoipa::path(
    post,
    path = "/screen",
    request_body = ScreenRequest,
    security((), ("api_key" = [])),
    responses(
        (status = 200, description = "One result per record", body = ScreenResponse),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Recording without a valid API key", body = ErrorBody),
        (status = 413, description = "Body or batch too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON (Content-Type)", body = ErrorBody),
        (status = 422, description = "JSON of the wrong shape", body = ErrorBody),
        (status = 503, description = "Lists not loaded", body = ErrorBody)
    )
)]
async fn screen(State(state): St, headers: HeaderMap, JsonBody(req): JsonBody<ScreenRequest>) -> Result<Json<ScreenResponse>, ApiError> {
    if req.records.len() > state.cfg.max_records {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{} records in one request; at most {}", req.records.len(), state.cfg.max_records),
        ));
    }
    let threshold = req.threshold.unwrap_or(SCREEN_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(ApiError::bad_request("threshold is a score between 0 and 1"));
    }
    let limit = req.limit.unwrap_or(5);
    if limit == 0 || limit > 100 {
        return Err(ApiError::bad_request("limit must be between 1 and 100"));
    }
    let index = ready_index(&state)?;
    let st = state.clone();
    let (rows, recorded) = tokio::task::spawn_blocking(move || {
        let key = st.authorize(&headers, req.record)?;
        let opts = ScreenOptions {
            threshold,
            limit,
            output: OutputFormat::Jsonl,
            threads: st.cfg.threads,
        };
        if !req.record {
            return Ok::<_, ApiError>((screen_objects(&index, &req.records, &opts, None)?, None));
        }
        let dataset = req.dataset.as_deref().map(str::trim).filter(|d| !d.is_empty());
        let dataset = dataset.ok_or_else(|| ApiError::bad_request("recording needs a dataset name"))?;
        let actor = format!("key:{}", key.expect("recording needs a key").name);
        let mut store = st.store();
        let mut recorder = cordon_engine::cases::Recorder::start(&mut store, &index, dataset, threshold, &actor)?;
        let rows = screen_objects(&index, &req.records, &opts, Some(&mut recorder))?;
        let counts = recorder.finish(rows.len() as u64)?;
        Ok((rows, Some(counts)))
    })
    .await??;
    let results = rows
        .into_iter()
        .map(|r| ScreenedRow {
            id: r.id,
            name: r.name,
            matches: r
                .hits
                .into_iter()
                .map(|h| ScreenMatch {
                    score: (h.score * 1000.0).round() / 1000.0,
                    entity_id: h.entity_id,
                    caption: h.caption,
                    explanation: h.explanation,
                })
                .collect(),
            warnings: r.warnings,
            error: r.error,
        })
        .collect();
    Ok(Json(ScreenResponse { results, recorded }))
}

// ---------------------------------------------------------------------------------------------
// Operations

/// `{"status": "ok"}`, with details on `/readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusBody {
    /// `ok`.
    pub status: &'static str,
    /// Entities indexed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<usize>,
    /// The list versions served.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub lists: Option<Value>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Up", body = StatusBody)))]
async fn healthz() -> Json<StatusBody> {
    Json(StatusBody {
        status: "ok",
        entities: None,
        lists: None,
    })
}

/// The lists are loaded and requests can be served.
#[utoipa::path(
    get,
    path = "/readyz",
    responses((status = 200, description = "Ready", body = StatusBody), (status = 503, description = "Lists not loaded (yet)", body = ErrorBody))
)]
async fn readyz(State(state): St) -> Result<Json<StatusBody>, ApiError> {
    let index = ready_index(&state)?;
    let lists: Vec<Value> = index
        .versions
        .iter()
        .map(|v| json!({"source": v.source, "version_id": v.id, "issued": v.issued, "entities": v.counts.entities}))
        .collect();
    Ok(Json(StatusBody {
        status: "ok",
        entities: Some(index.len()),
        lists: Some(Value::Array(lists)),
    }))
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
async fn metrics(State(state): St) -> Response {
    let mut out = String::with_capacity(4096);
    state.metrics.render(&mut out);
    out.push_str("# HELP cordon_index_entities Entities in the screening index.\n# TYPE cordon_index_entities gauge\n");
    let index = state.index();
    out.push_str(&format!("cordon_index_entities {}\n", index.as_ref().map_or(0, |i| i.len())));
    out.push_str("# HELP cordon_index_loads_total Times the screening index was (re)built.\n# TYPE cordon_index_loads_total counter\n");
    out.push_str(&format!(
        "cordon_index_loads_total {}\n",
        state.reloads.load(std::sync::atomic::Ordering::Relaxed)
    ));
    if let Some(at) = *state.loaded_at.lock().unwrap_or_else(|p| p.into_inner()) {
        let secs = at.duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        out.push_str("# HELP cordon_index_loaded_timestamp_seconds When the index was built.\n# TYPE cordon_index_loaded_timestamp_seconds gauge\n");
        out.push_str(&format!("cordon_index_loaded_timestamp_seconds {secs}\n"));
    }
    if let Some(ix) = index {
        out.push_str("# HELP cordon_list_version_info The list versions served.\n# TYPE cordon_list_version_info gauge\n");
        for v in &ix.versions {
            out.push_str(&format!(
                "cordon_list_version_info{{source=\"{}\",version_id=\"{}\",issued=\"{}\"}} 1\n",
                crate::metrics::label(&v.source),
                v.id,
                crate::metrics::label(v.issued.as_deref().unwrap_or(""))
            ));
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
