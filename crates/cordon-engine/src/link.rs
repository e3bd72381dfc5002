//! Linking applicant and contractor records: shared infrastructure, clusters with stable ids,
//! red flags, and sanctions screening of every cluster (names with the matcher; wallets,
//! emails and phones against the listed ones as direct hits). State between runs (cluster ids)
//! and the last run's clusters live in `<home>/link/`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use cordon_link::cluster::{clusters, ClusterState};
use cordon_link::flags::{flags, risk, Flag};
use cordon_link::link::{link, link_file, LinkOptions};
use cordon_link::record::{read_records, Mapping, RowError};
use cordon_link::report::ReportCluster;
use cordon_link::{norm, LoginEvent, Record};
use cordon_match::SCREEN_THRESHOLD;
use cordon_store::{HitRow, RecordRow, Store};
use serde::{Deserialize, Serialize};

use crate::index::ListIndex;
use crate::{EngineError, Result};

/// What a link run is given.
#[derive(Clone, Debug)]
pub struct LinkInput {
    /// Records (CSV or JSON lines).
    pub records: PathBuf,
    /// Login events (CSV).
    pub logins: Option<PathBuf>,
    /// Field mapping (`field=column`).
    pub mapping: Vec<String>,
    /// Bits from which records join a cluster.
    pub threshold: f64,
    /// Record the sanctions hits as alerts (dataset `link`), with the same decisions and audit
    /// trail as screening alerts.
    pub record: bool,
    /// Bytes of login evidence held in memory (see [`LinkOptions::memory_budget`]).
    pub memory_budget: usize,
}

/// A sanctions hit in a cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SanctionHit {
    /// The record.
    pub record: String,
    /// Listed entity.
    pub entity_id: String,
    /// Its name.
    pub caption: String,
    /// Score (1 for exact wallet, email, phone).
    pub score: f64,
    /// What matched.
    pub what: String,
}

/// A member's wallet with risky sources of funds (from `cordon chain exposure`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WalletExposure {
    /// The record.
    pub record: String,
    /// The wallet.
    pub wallet: String,
    /// `severe`, `high` or `medium`.
    pub risk: String,
    /// Why.
    pub explanation: Vec<String>,
}

/// One link in the output.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LinkOut {
    /// Record id.
    pub a: String,
    /// Record id.
    pub b: String,
    /// Bits.
    pub score: f64,
    /// What they share, in words.
    pub explanation: String,
}

/// One cluster in the output (a line of `clusters.jsonl`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClusterOut {
    /// Stable id.
    pub id: String,
    /// Member record ids.
    pub members: Vec<String>,
    /// Combined risk in [0, 1] (1 with a sanctions hit).
    pub risk: f64,
    /// Red flags: (rule, score, detail).
    pub flags: Vec<FlagOut>,
    /// Sanctions hits.
    pub sanctions: Vec<SanctionHit>,
    /// Members' wallets exposed to sanctioned, DPRK or mixer funds in the imported chain data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain_exposure: Vec<WalletExposure>,
    /// Evidence links.
    pub links: Vec<LinkOut>,
}

/// A red flag in the output.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FlagOut {
    /// Rule.
    pub flag: String,
    /// Strength.
    pub score: f64,
    /// What was seen.
    pub detail: String,
}

impl From<Flag> for FlagOut {
    fn from(f: Flag) -> Self {
        FlagOut {
            flag: f.flag.to_string(),
            score: f.score,
            detail: f.detail,
        }
    }
}

/// What a run did.
#[derive(Debug, Serialize)]
pub struct LinkRun {
    /// Records read.
    pub records: usize,
    /// Login events read.
    pub logins: usize,
    /// Rows skipped, with file and line.
    pub skipped: Vec<String>,
    /// Links found (any evidence).
    pub links: usize,
    /// Clusters, highest risk first.
    pub clusters: Vec<ClusterOut>,
    /// Whether sanctions screening ran (lists loaded).
    pub screened: bool,
    /// What recording the hits as alerts did.
    pub recorded: Option<cordon_store::AlertCounts>,
    /// Seconds.
    pub secs: f64,
    /// For the HTML report.
    #[serde(skip)]
    pub report: Vec<ReportCluster>,
}

fn link_dir(home: &Path) -> PathBuf {
    home.join("link")
}

fn rss(what: &str) {
    if std::env::var_os("CORDON_LINK_DEBUG").is_some() {
        let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let line = |k: &str| s.lines().find(|l| l.starts_with(k)).unwrap_or("").to_string();
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        let t = START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64();
        eprintln!("{what} at {t:.1} s: {} {}", line("VmRSS"), line("VmHWM"));
    }
}

/// Spill folders left by a run that was killed (a finished run removes its own): those a day
/// old are removed; younger ones may belong to a run still going.
fn remove_stale_spills(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(86_400));
        if old && e.file_name().to_string_lossy().starts_with("cordon-spill-") {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Links the records, clusters them (keeping ids stable across runs), raises red flags and
/// screens every cluster against the active lists.
/// `progress` hears each phase as it starts.
pub fn run(store: &mut Store, home: &Path, input: &LinkInput, progress: &mut dyn FnMut(&str)) -> Result<LinkRun> {
    let t = std::time::Instant::now();
    rss("start");
    progress(&format!("reading {}", input.records.display()));
    let mapping = Mapping::parse(&input.mapping).map_err(EngineError::Invalid)?;
    let link_err = |e: cordon_link::LinkError| EngineError::Invalid(e.to_string());
    let (records, errors) = read_records(&input.records, &mapping).map_err(link_err)?;
    rss("records");
    let mut skipped: Vec<String> = errors
        .iter()
        .map(|e: &RowError| format!("{}: line {}: {}", input.records.display(), e.line, e.message))
        .collect();
    let dir = link_dir(home);
    std::fs::create_dir_all(&dir).map_err(|e| EngineError::Io { path: dir.clone(), source: e })?;
    remove_stale_spills(&dir);
    let options = LinkOptions {
        memory_budget: input.memory_budget,
        spill_dir: Some(dir.clone()),
        ..LinkOptions::default()
    };
    progress(&match &input.logins {
        Some(p) => format!("linking {} records and the login events of {}", records.len(), p.display()),
        None => format!("linking {} records", records.len()),
    });
    let (links, read) = link_file(&records, input.logins.as_deref(), &options).map_err(link_err)?;
    if read.spilled {
        progress(&format!(
            "login evidence went over --memory-mb ({} MiB) and was linked from temporary files",
            input.memory_budget >> 20
        ));
    }
    if let Some(p) = &input.logins {
        skipped.extend(read.errors.iter().map(|e| format!("{}: line {}: {}", p.display(), e.line, e.message)));
        if read.unknown_records > 0 {
            skipped.push(format!(
                "{}: {} login events name a record_id that is not in {}",
                p.display(),
                read.unknown_records,
                input.records.display()
            ));
        }
    }
    rss("linked");
    let state_path = dir.join("state.json");
    let previous: ClusterState = std::fs::read(&state_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    progress(&format!("clustering {} links", links.len()));
    let (cs, state) = clusters(&records, &links, input.threshold, &previous);
    // The red flags read the logins of clustered records only: the rest are not held.
    let mut clustered = vec![false; records.len()];
    for c in &cs {
        for &m in &c.members {
            clustered[m as usize] = true;
        }
    }
    let login_count = read.events.count as usize;
    let logins = read.events.of(&records, |i| clustered[i as usize]).map_err(link_err)?;
    rss("clustered");
    // Sanctions screening needs lists; without them it is skipped (and said so).
    let active = store.active_versions()?;
    let screen = if active.is_empty() {
        None
    } else {
        Some(ListIndex::of_versions(store, active)?)
    };
    let listed = screen.as_ref().map(listed_contacts);
    // Where chain data is loaded, members' wallets get an exposure check.
    let chain = crate::chain::chain_dir(home);
    let chain = if chain.join("manifest.json").is_file() {
        let cs = cordon_chain::dataset::ChainStore::open(&chain)?;
        let tags = cordon_chain::analysis::TagIndex::new(&cs, store.tags()?);
        Some((cs, tags))
    } else {
        None
    };
    let mut by_record: HashMap<&str, Vec<&LoginEvent>> = HashMap::new();
    for l in &logins {
        by_record.entry(&*l.record_id).or_default().push(l);
    }
    progress(&format!(
        "red flags{} for {} clusters",
        if screen.is_some() { " and sanctions screening" } else { "" },
        cs.len()
    ));
    let mut out = Vec::new();
    let mut report = Vec::new();
    for c in &cs {
        let members: Vec<&Record> = c.members.iter().map(|&m| &records[m as usize]).collect();
        let member_logins: Vec<&LoginEvent> = members.iter().flat_map(|r| by_record.get(r.id.as_str()).cloned().unwrap_or_default()).collect();
        let fl = flags(&members, &member_logins);
        let sanctions = match (&screen, &listed) {
            (Some(ix), Some(contacts)) => screen_members(ix, contacts, &members),
            _ => Vec::new(),
        };
        let chain_exposure: Vec<WalletExposure> = match &chain {
            Some((cs, tags)) => members
                .iter()
                .filter_map(|m| {
                    let w = m.wallet.as_deref()?;
                    cs.id(w)?;
                    let e = cordon_chain::analysis::exposure(cs, tags, w, None, 6).ok()?;
                    matches!(e.risk, "severe" | "high" | "medium").then(|| WalletExposure {
                        record: m.id.clone(),
                        wallet: e.address.clone(),
                        risk: e.risk.to_string(),
                        explanation: e.explanation.clone(),
                    })
                })
                .collect(),
            None => Vec::new(),
        };
        let chain_risk = chain_exposure
            .iter()
            .map(|e| match e.risk.as_str() {
                "severe" => 1.0,
                "high" => 0.9,
                _ => 0.5,
            })
            .fold(0.0f64, f64::max);
        let r = if sanctions.is_empty() { risk(&fl).max(chain_risk) } else { 1.0 };
        let link_out: Vec<LinkOut> = c
            .links
            .iter()
            .map(|&i| {
                let l = &links[i];
                LinkOut {
                    a: records[l.a as usize].id.clone(),
                    b: records[l.b as usize].id.clone(),
                    score: (l.score * 10.0).round() / 10.0,
                    explanation: l.explain(),
                }
            })
            .collect();
        // Shared values for the picture.
        let mut shared: BTreeMap<String, HashSet<String>> = BTreeMap::new();
        for &i in &c.links {
            let l = &links[i];
            for e in &l.evidence {
                let s = shared.entry(format!("{}: {}", e.kind.words(), e.value)).or_default();
                s.insert(records[l.a as usize].id.clone());
                s.insert(records[l.b as usize].id.clone());
            }
        }
        report.push(ReportCluster {
            id: c.id.clone(),
            risk: r,
            members: members.iter().map(|m| (m.id.clone(), m.name.clone().unwrap_or_default())).collect(),
            flags: fl.iter().map(|f| format!("{} ({:.1}): {}", f.flag, f.score, f.detail)).collect(),
            sanctions: sanctions
                .iter()
                .map(|s| format!("{} ~ {} {} ({:.2}): {}", s.record, s.entity_id, s.caption, s.score, s.what))
                .chain(
                    chain_exposure
                        .iter()
                        .map(|e| format!("{} wallet {}: {} exposure — {}", e.record, e.wallet, e.risk, e.explanation.join("; "))),
                )
                .collect(),
            links: link_out.iter().map(|l| (l.a.clone(), l.b.clone(), l.score, l.explanation.clone())).collect(),
            shared: shared
                .into_iter()
                .map(|(k, v)| {
                    let mut v: Vec<String> = v.into_iter().collect();
                    v.sort();
                    (k, v)
                })
                .collect(),
        });
        out.push(ClusterOut {
            id: c.id.clone(),
            members: c.member_ids.clone(),
            risk: (r * 1000.0).round() / 1000.0,
            flags: fl.into_iter().map(FlagOut::from).collect(),
            sanctions,
            chain_exposure,
            links: link_out,
        });
    }
    // Sanctions hits become alerts (record × listed entity), like screening results.
    let recorded = match (&screen, input.record) {
        (Some(ix), true) => {
            let actor = crate::default_actor();
            let mut rec = crate::cases::Recorder::start(store, ix, "link", SCREEN_THRESHOLD, &actor)?;
            let mut rows: Vec<(Option<String>, String, Vec<cordon_match::Hit>)> = Vec::new();
            for c in &out {
                for s in &c.sanctions {
                    let fields = records.iter().find(|r| r.id == s.record).map(record_fields).unwrap_or_default();
                    let hit = cordon_match::Hit {
                        entity_id: s.entity_id.clone(),
                        caption: s.caption.clone(),
                        score: s.score,
                        explanation: vec![format!("cluster {}: {}", c.id, s.what)],
                        features: Vec::new(),
                    };
                    match rows.iter_mut().find(|r| r.0.as_deref() == Some(s.record.as_str())) {
                        Some(r) => r.2.push(hit),
                        None => rows.push((Some(s.record.clone()), fields, vec![hit])),
                    }
                }
            }
            let mut n = rows.len() as u64;
            rec.batch(rows.iter().map(|(id, f, h)| (id.clone(), f.clone(), h.as_slice())).collect())?;
            // Each high-risk cluster is an alert of its own, listed entity or not: the analyst
            // decides on the network, and a false-positive decision holds until the cluster
            // changes (members or flags), then the alert reopens saying what changed.
            let version = ix.version_ids().first().copied().unwrap_or(0);
            let cluster_rows: Vec<(RecordRow, Vec<HitRow>)> = out
                .iter()
                .filter(|c| c.risk >= CLUSTER_ALERT_RISK)
                .map(|c| {
                    let row = RecordRow {
                        dataset: "link".into(),
                        record_id: format!("cluster:{}", c.id),
                        data: cluster_fields(c),
                    };
                    let mut explanation: Vec<String> = vec![format!("cluster {} of {} records: {}", c.id, c.members.len(), c.members.join(", "))];
                    explanation.extend(c.flags.iter().map(|f| format!("{} ({:.2}): {}", f.flag, f.score, f.detail)));
                    explanation.extend(
                        c.sanctions
                            .iter()
                            .map(|s| format!("{} ~ {} {} ({:.2})", s.record, s.entity_id, s.caption, s.score)),
                    );
                    explanation.extend(c.links.iter().take(5).map(|l| format!("{} – {}: {}", l.a, l.b, l.explanation)));
                    let hit = HitRow {
                        entity_id: CLUSTER_ENTITY.into(),
                        score: c.risk,
                        explanation,
                        version_id: version,
                        entity_hash: cordon_store::content_hash(CLUSTER_ENTITY),
                    };
                    (row, vec![hit])
                })
                .collect();
            n += cluster_rows.len() as u64;
            rec.batch_rows(cluster_rows)?;
            Some(rec.finish(n)?)
        }
        (None, true) => {
            return Err(EngineError::Invalid(
                "--record needs sanctions lists: load them with `cordon lists import` or `cordon lists update`".into(),
            ))
        }
        _ => None,
    };
    rss("flagged");
    let order = |a: &ClusterOut, b: &ClusterOut| b.risk.total_cmp(&a.risk).then_with(|| a.id.cmp(&b.id));
    out.sort_by(order);
    report.sort_by(|a, b| b.risk.total_cmp(&a.risk).then_with(|| a.id.cmp(&b.id)));
    // Keep the state and the clusters for the next run and for `link explain`.
    let write = |p: PathBuf, bytes: Vec<u8>| -> Result<()> { std::fs::write(&p, bytes).map_err(|e| EngineError::Io { path: p.clone(), source: e }) };
    write(state_path, serde_json::to_vec_pretty(&state).expect("state serialises"))?;
    let mut lines = Vec::new();
    for c in &out {
        lines.extend(serde_json::to_vec(c).expect("clusters serialise"));
        lines.push(b'\n');
    }
    write(dir.join("clusters.jsonl"), lines)?;
    store.audit(
        &crate::default_actor(),
        "link.run",
        None,
        &serde_json::json!({"records": records.len(), "logins": login_count, "clusters": out.len(), "file": input.records.display().to_string()}),
    )?;
    Ok(LinkRun {
        records: records.len(),
        logins: login_count,
        skipped,
        links: links.len(),
        clusters: out,
        screened: screen.is_some(),
        recorded,
        secs: t.elapsed().as_secs_f64(),
        report,
    })
}

/// The entity id of cluster alerts: the network itself, not a listed entity.
pub const CLUSTER_ENTITY: &str = "cordon:worker-network";

/// Clusters at or above this risk are recorded as alerts by `--record`.
pub const CLUSTER_ALERT_RISK: f64 = 0.5;

/// What a cluster alert stores as its record: the members and the flags raised (not the
/// risk, which moves with every login; a decision holds until these change).
fn cluster_fields(c: &ClusterOut) -> String {
    let mut members = c.members.clone();
    members.sort();
    let mut flags: Vec<&str> = c.flags.iter().map(|f| f.flag.as_str()).collect();
    flags.sort_unstable();
    let mut listed: Vec<&str> = c.sanctions.iter().map(|s| s.entity_id.as_str()).collect();
    listed.sort_unstable();
    listed.dedup();
    serde_json::json!({"cluster": c.id, "members": members, "flags": flags, "listed": listed}).to_string()
}

/// The screened fields of a record, as stored with its alerts.
fn record_fields(r: &Record) -> String {
    let map: BTreeMap<&str, &str> = [
        ("name", r.name.as_deref()),
        ("dob", r.dob.as_deref()),
        ("nationality", r.nationality.as_deref()),
        ("wallet", r.wallet.as_deref()),
        ("email", r.email.as_deref()),
        ("phone", r.phone.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
    .collect();
    serde_json::to_string(&map).expect("strings serialise")
}

/// Listed emails and phones, normalised, with their entity.
struct Contacts(HashMap<String, (String, String)>);

fn listed_contacts(ix: &ListIndex) -> Contacts {
    let mut m = HashMap::new();
    for id in ix.entity_ids() {
        let Some((_, e)) = ix.entity(id) else { continue };
        for em in e.emails.iter().filter_map(|x| norm::email(x)) {
            m.insert(format!("email:{em}"), (e.id.clone(), e.caption().to_string()));
        }
        for ph in e.phones.iter().filter_map(|x| norm::phone(x)) {
            m.insert(format!("phone:{ph}"), (e.id.clone(), e.caption().to_string()));
        }
    }
    Contacts(m)
}

fn screen_members(ix: &ListIndex, contacts: &Contacts, members: &[&Record]) -> Vec<SanctionHit> {
    let mut hits = Vec::new();
    for r in members {
        let get = |k: &str| -> Option<String> {
            match k {
                "name" => r.name.clone(),
                "dob" => r.dob.clone(),
                "nationality" => r.nationality.clone(),
                "wallet" => r.wallet.clone(),
                "schema" => Some("person".into()),
                _ => None,
            }
        };
        if let Ok((q, _)) = crate::screen::query_of(&get) {
            for h in ix.screener.screen(&q, SCREEN_THRESHOLD, 3) {
                hits.push(SanctionHit {
                    record: r.id.clone(),
                    entity_id: h.entity_id,
                    caption: h.caption,
                    score: (h.score * 1000.0).round() / 1000.0,
                    what: h.explanation.join("; "),
                });
            }
        }
        for (key, what) in [
            (r.email.as_deref().and_then(norm::email).map(|e| format!("email:{e}")), "email"),
            (r.phone.as_deref().and_then(norm::phone).map(|p| format!("phone:{p}")), "phone"),
        ] {
            if let Some((id, caption)) = key.and_then(|k| contacts.0.get(&k)) {
                hits.push(SanctionHit {
                    record: r.id.clone(),
                    entity_id: id.clone(),
                    caption: caption.clone(),
                    score: 1.0,
                    what: format!("{what} is on the listing"),
                });
            }
        }
    }
    hits
}

/// The clusters of the last run.
pub fn last_clusters(home: &Path) -> Result<Vec<ClusterOut>> {
    let p = link_dir(home).join("clusters.jsonl");
    let text = std::fs::read_to_string(&p).map_err(|_| EngineError::Invalid("no link run yet: run `cordon link RECORDS` first".into()))?;
    text.lines()
        .map(|l| serde_json::from_str(l).map_err(|e| EngineError::Invalid(format!("{}: {e}", p.display()))))
        .collect()
}

/// Writes a synthetic pool: `records.csv`, `logins.csv`, `truth.csv` (record id, operator).
pub fn synth_write(o: &cordon_link::synth::SynthOptions, dir: &Path) -> Result<cordon_link::synth::SynthPool> {
    let pool = cordon_link::synth::generate(o);
    std::fs::create_dir_all(dir).map_err(|e| EngineError::Io {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e: csv::Error| EngineError::Invalid(format!("{}: {e}", p.display()))
    };
    let rp = dir.join("records.csv");
    let mut w = csv::Writer::from_path(&rp).map_err(io(&rp))?;
    w.write_record(cordon_link::record::FIELDS).map_err(io(&rp))?;
    for r in &pool.records {
        let v = serde_json::to_value(r).expect("records serialise");
        let row: Vec<String> = cordon_link::record::FIELDS
            .iter()
            .map(|f| v.get(*f).and_then(|x| x.as_str()).unwrap_or("").to_string())
            .collect();
        w.write_record(&row).map_err(io(&rp))?;
    }
    w.flush().map_err(|e| EngineError::Io { path: rp.clone(), source: e })?;
    let lp = dir.join("logins.csv");
    let mut w = csv::Writer::from_path(&lp).map_err(io(&lp))?;
    w.write_record(["record_id", "ts", "ip", "country", "device_id"]).map_err(io(&lp))?;
    for l in &pool.logins {
        w.write_record([
            &*l.record_id,
            &l.ts.to_string(),
            l.ip.as_deref().unwrap_or(""),
            l.country.as_deref().unwrap_or(""),
            l.device_id.as_deref().unwrap_or(""),
        ])
        .map_err(io(&lp))?;
    }
    w.flush().map_err(|e| EngineError::Io { path: lp.clone(), source: e })?;
    let tp = dir.join("truth.csv");
    let mut w = csv::Writer::from_path(&tp).map_err(io(&tp))?;
    w.write_record(["id", "operator"]).map_err(io(&tp))?;
    for (r, o) in pool.records.iter().zip(&pool.operator) {
        w.write_record([r.id.as_str(), &o.map(|o| o.to_string()).unwrap_or_default()])
            .map_err(io(&tp))?;
    }
    w.flush().map_err(|e| EngineError::Io { path: tp.clone(), source: e })?;
    Ok(pool)
}

/// Generates a pool and scores the clusters against its truth.
pub fn synth_evaluate(o: &cordon_link::synth::SynthOptions, threshold: f64) -> cordon_link::synth::Agreement {
    let pool = cordon_link::synth::generate(o);
    let links = link(&pool.records, &pool.logins, &LinkOptions::default());
    let (cs, _) = clusters(&pool.records, &links, threshold, &ClusterState::default());
    cordon_link::synth::agreement(&pool, &cs.iter().map(|c| c.members.clone()).collect::<Vec<_>>())
}
