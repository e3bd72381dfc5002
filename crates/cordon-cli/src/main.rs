//! `cordon`: the command-line front of Cordon. It parses flags, calls cordon-engine and prints;
//! no workflow lives here.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use cordon_engine::{ImportOptions, UpdateOutcome};
use cordon_model::{Entity, ListFormat, ListVersion};
use cordon_store::Store;

mod show;

/// Sanctions screening for DPRK revenue: lists, names, wallets.
#[derive(Parser)]
#[command(name = "cordon", version, about)]
struct Cli {
    /// Cordon home directory (store, downloads) [env: CORDON_HOME; default: ./.cordon]
    #[arg(long, global = true)]
    home: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sanctions lists: import, update, status, diff, export.
    #[command(subcommand)]
    Lists(ListsCommand),
    /// Listed entities.
    #[command(subcommand)]
    Entity(EntityCommand),
    /// Screen one name (and optional details) against the active lists.
    Match {
        /// The name, in any script or romanisation.
        name: String,
        /// Date of birth: YYYY, YYYY-MM, YYYY-MM-DD or "08 Jan 1984".
        #[arg(long)]
        dob: Option<String>,
        /// Claimed nationality (ISO code or country name); supporting evidence only.
        #[arg(long)]
        nationality: Option<String>,
        /// Screen against persons or organisations only.
        #[arg(long, value_enum)]
        schema: Option<SchemaArg>,
        /// Passport or national id number.
        #[arg(long)]
        id_number: Option<String>,
        /// Crypto wallet address.
        #[arg(long)]
        wallet: Option<String>,
        /// Most matches to show.
        #[arg(long, default_value_t = cordon_match::DEFAULT_LIMIT, value_parser = parse_limit)]
        limit: usize,
        /// Minimum score, 0 to 1.
        #[arg(long, default_value_t = cordon_match::SCREEN_THRESHOLD, value_parser = parse_score)]
        threshold: f64,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Screen a file of records (CSV with a header, or JSON lines) against the active lists.
    Screen {
        /// Input: columns/keys id, name (required), dob, nationality, gender, id_number, wallet, schema.
        input: PathBuf,
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Output format (default: from the output file's extension, else JSON lines).
        #[arg(long, value_enum)]
        output_format: Option<OutputFormatArg>,
        /// Minimum score, 0 to 1.
        #[arg(long, default_value_t = cordon_match::SCREEN_THRESHOLD, value_parser = parse_score)]
        threshold: f64,
        /// Most matches per row.
        #[arg(long, default_value_t = cordon_match::DEFAULT_LIMIT, value_parser = parse_limit)]
        limit: usize,
        /// Store the records (by their `id`) and raise an alert for every match.
        #[arg(long)]
        record: bool,
        /// Dataset the recorded records belong to.
        #[arg(long, default_value = "default", requires = "record")]
        dataset: String,
    },
    /// Alerts raised by recorded screenings, and decisions on them.
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// The append-only audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Serve the HTTP API (yente-compatible /match, alerts and decisions, metrics).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "CORDON_ADDR")]
        addr: std::net::SocketAddr,
        /// Read endpoints (/match, /search, /entities, GET /alerts) need an API key too.
        #[arg(long, env = "CORDON_KEYS_FOR_READS")]
        keys_for_reads: bool,
        /// Largest request body, in bytes.
        #[arg(long, default_value_t = 8 << 20)]
        max_body: usize,
        /// Most queries in one /match request.
        #[arg(long, default_value_t = 100)]
        max_queries: usize,
        /// Most records in one /screen request.
        #[arg(long, default_value_t = 10_000)]
        max_records: usize,
        /// Seconds between checks for new list versions (swapped in without dropping requests).
        #[arg(long, default_value_t = 10)]
        reload_secs: u64,
    },
    /// API keys of the HTTP server.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Chain data: import, tags, clustering, tracing, exposure.
    #[command(subcommand)]
    Chain(ChainCommand),
    /// Link applicant/contractor records that share infrastructure; cluster, flag, screen.
    #[command(args_conflicts_with_subcommands = true)]
    Link {
        #[command(subcommand)]
        cmd: Option<LinkCommand>,
        /// Records: CSV with a header or JSON lines (id, name, dob, nationality, email, phone,
        /// address, shipping_address, payout_account, wallet, photo_hash, resume_text, github,
        /// language, employer).
        records: Option<PathBuf>,
        /// Login events CSV: record_id, ts, ip, country, device_id.
        #[arg(long)]
        logins: Option<PathBuf>,
        /// Column names for fields, `field=column` (repeatable).
        #[arg(long = "map")]
        mapping: Vec<String>,
        /// Clusters as JSON lines (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Self-contained HTML report with a picture of each cluster.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Bits of evidence from which records join a cluster.
        #[arg(long, default_value_t = cordon_link::cluster_threshold())]
        threshold: f64,
        /// Record sanctions hits as alerts (dataset `link`), decided like screening alerts.
        #[arg(long)]
        record: bool,
        /// MiB of login evidence held in memory; more goes to temporary files under
        /// <home>/link (removed when done), so memory does not grow with the login file.
        #[arg(long, default_value_t = 256)]
        memory_mb: usize,
    },
}

#[derive(Subcommand)]
enum LinkCommand {
    /// Explain a cluster of the last run: members, red flags, sanctions hits, every link.
    Explain {
        /// Cluster id (`L3`).
        cluster: String,
    },
    /// Deduplicate person records by name, birth date, address and ids (Fellegi–Sunter, fitted
    /// without labels); writes `id,cluster` and, with --truth, pairwise precision/recall/F1.
    Dedupe {
        /// CSV files with an id column (rec_id, unique_id or id); several files are one table.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Column with the true entity, or `febrl` (from FEBRL record ids), to score.
        #[arg(long)]
        truth: Option<String>,
        /// Match probability from which records are one person.
        #[arg(long, default_value_t = cordon_link::er::DEFAULT_THRESHOLD)]
        threshold: f64,
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Generate a synthetic applicant pool with operators and ground truth; with --evaluate,
    /// link it and score the clusters against the truth.
    Synth {
        /// Directory for records.csv, logins.csv, truth.csv.
        #[arg(long, default_value = "link-synth")]
        out: PathBuf,
        /// Honest applicants.
        #[arg(long, default_value_t = 5000)]
        honest: usize,
        /// Operators.
        #[arg(long, default_value_t = 40)]
        operators: usize,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Mean login events per honest applicant.
        #[arg(long, default_value_t = 3.5)]
        logins_per_record: f64,
        /// Score instead of writing files.
        #[arg(long)]
        evaluate: bool,
    },
}

#[derive(Subcommand)]
enum ChainCommand {
    /// Import chain data: ethereum-etl CSV (transactions, token_transfers), bitcoin-etl JSON,
    /// raw Bitcoin blocks. All files are parsed before anything is stored.
    Import {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// ethereum-etl, bitcoin-etl or btc-raw (default: detected from content).
        #[arg(long)]
        format: Option<String>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Attribution tags.
    #[command(subcommand)]
    Tags(ChainTagsCommand),
    /// Cluster UTXO addresses; writes `address,cluster_id` (cluster id = smallest member id).
    Cluster {
        /// Heuristics: multi-input, change.
        #[arg(long, default_value = "multi-input")]
        heuristics: String,
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Explain the cluster of this address from the last clustering instead.
        #[arg(long)]
        explain: Option<String>,
    },
    /// Follow funds from (forward) or into (backward) an address.
    Trace {
        /// Start address.
        #[arg(long)]
        from: String,
        /// poison, haircut or fifo.
        #[arg(long, default_value = "haircut")]
        model: String,
        /// forward or backward.
        #[arg(long, default_value = "forward")]
        direction: String,
        /// Hop limit.
        #[arg(long, default_value_t = 10)]
        max_hops: u32,
        /// Asset (btc, eth, erc20:0x…); default: the only one the address has transfers in.
        #[arg(long)]
        asset: Option<String>,
        /// Taint starts at this block height (forward).
        #[arg(long, default_value_t = 0)]
        since: u32,
        /// Tag categories not followed through.
        #[arg(long, default_value = "exchange,service", value_delimiter = ',')]
        stop: Vec<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Generate a synthetic chain with planted laundering and ground truth; with --evaluate,
    /// trace every hack with each model and score against the truth.
    Synth {
        /// Directory for transactions.csv (ethereum-etl), tags.yaml (TagPack), truth.json.
        #[arg(long, default_value = "synth")]
        out: PathBuf,
        /// Ordinary users.
        #[arg(long, default_value_t = 20_000)]
        users: u32,
        /// Background transfers.
        #[arg(long, default_value_t = 200_000)]
        transfers: u64,
        /// Hacks planted.
        #[arg(long, default_value_t = 3)]
        hacks: u32,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Score traces against the truth instead of writing files.
        #[arg(long)]
        evaluate: bool,
        /// Hop limit of the evaluated traces.
        #[arg(long, default_value_t = 10)]
        max_hops: u32,
        /// Taint share from which haircut and FIFO flag an address.
        #[arg(long, default_value_t = 0.01)]
        min_share: f64,
    },
    /// Exposure of an address to sanctioned, DPRK, mixer, bridge, exchange funds.
    Exposure {
        /// The address.
        address: String,
        /// Asset; default: the only one the address has transfers in.
        #[arg(long)]
        asset: Option<String>,
        /// How far back to look.
        #[arg(long, default_value_t = 6)]
        max_hops: u32,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// What chain data and tags are loaded.
    Status,
}

#[derive(Subcommand)]
enum ChainTagsCommand {
    /// Import tags: GraphSense TagPack YAML, or files of addresses with --category and --label.
    Import {
        /// Files.
        paths: Vec<PathBuf>,
        /// Category for plain address files: sanctioned, dprk, mixer, exchange, service, bridge, other.
        #[arg(long)]
        category: Option<String>,
        /// Label for plain address files (default: the file name).
        #[arg(long)]
        label: Option<String>,
        /// Actor for plain address files (lazarus, an entity id).
        #[arg(long)]
        actor: Option<String>,
        /// Also tag every wallet address on the active sanctions lists.
        #[arg(long)]
        from_lists: bool,
    },
    /// List tags.
    List,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key; it is printed once and stored only as a hash.
    Create {
        /// Who or what uses it (unique).
        name: String,
    },
    /// List keys (names, prefixes, dates; never the keys).
    List,
    /// Revoke a key by name.
    Revoke {
        /// The key's name.
        name: String,
    },
}

#[derive(Subcommand)]
enum AlertsCommand {
    /// List alerts, newest first.
    List {
        /// Which alerts: open, decided (false positives and true matches), false-positive,
        /// true-match, closed, all.
        #[arg(long, default_value = "open")]
        status: String,
        /// Only this dataset.
        #[arg(long)]
        dataset: Option<String>,
        /// At most this many (0: all).
        #[arg(long, default_value_t = 0)]
        limit: usize,
        /// JSON lines, one alert per line.
        #[arg(long)]
        json: bool,
    },
    /// Show one alert with its record, explanation and decisions.
    Show {
        /// Alert id.
        id: i64,
        /// JSON.
        #[arg(long)]
        json: bool,
    },
    /// Decide an alert.
    Decide {
        /// Alert id.
        id: i64,
        /// The record is not the listed party.
        #[arg(long, conflicts_with = "true_match", required_unless_present = "true_match")]
        false_positive: bool,
        /// The record is the listed party.
        #[arg(long)]
        true_match: bool,
        /// Why.
        #[arg(long)]
        note: Option<String>,
        /// Who decides (default: the login name).
        #[arg(long)]
        by: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Export the audit log, oldest first.
    Export {
        /// csv or jsonl.
        #[arg(long, value_enum, default_value_t = OutputFormatArg::Jsonl)]
        format: OutputFormatArg,
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaArg {
    Person,
    Organization,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum OutputFormatArg {
    Csv,
    Jsonl,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Auto,
    UnXml,
    OfacAdvanced,
    OfacCsv,
    OfacXml,
    Ftm,
}

impl FormatArg {
    fn format(self) -> Option<ListFormat> {
        match self {
            FormatArg::Auto => None,
            FormatArg::UnXml => Some(ListFormat::UnXml),
            FormatArg::OfacAdvanced => Some(ListFormat::OfacAdvanced),
            FormatArg::OfacCsv => Some(ListFormat::OfacCsv),
            FormatArg::OfacXml => Some(ListFormat::OfacXml),
            FormatArg::Ftm => Some(ListFormat::Ftm),
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ExportFormat {
    Ftm,
    Csv,
}

#[derive(Subcommand)]
enum ListsCommand {
    /// Import list files (a file, a .gz/.bz2 file, a directory of files, or a directory holding an OFAC CSV set).
    Import {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Format of the files (detected from content by default).
        #[arg(long, value_enum, default_value = "auto")]
        format: FormatArg,
        /// Name of the list (un, ofac, ofac-cons, …); from the format and file name by default.
        #[arg(long)]
        source: Option<String>,
        /// Accept a version that fails the sanity checks (e.g. far fewer entities than the active one).
        #[arg(long)]
        force: bool,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Download the current official lists, check them, and activate them.
    Update {
        /// Which list (default: un and ofac).
        #[arg(long)]
        source: Option<String>,
        /// Download from this URL instead of the official one (or set CORDON_UN_URL / CORDON_OFAC_URL).
        #[arg(long, requires = "source")]
        url: Option<String>,
        /// Accept a version that fails the sanity checks.
        #[arg(long)]
        force: bool,
    },
    /// Show the stored list versions.
    Status {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show what changed between two versions (each a stored version id or a list file).
    Diff {
        /// The older version.
        old: String,
        /// The newer version.
        new: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export a version (default: every active version).
    Export {
        /// Version id (see `cordon lists status`).
        #[arg(long)]
        version: Option<i64>,
        /// Output format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum EntityCommand {
    /// Show one listed entity by id (un:KPi.033, ofac:20157).
    Show {
        /// Entity id.
        id: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// mimalloc rather than the system allocator: screening allocates small buffers per query on
/// every core, and glibc's allocator also consolidates its arena's free blocks before each
/// large request. `ALLOC=system bash bench/screen.sh` measures the build without it.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A score threshold: a number from 0 to 1.
fn parse_score(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        Ok(_) => Err("a score is from 0 to 1".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// A number of matches to show: at least one.
fn parse_limit(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        // A closed pipe (`cordon … | head`) is not an error.
        if e.chain()
            .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
        {
            std::process::exit(0);
        }
        eprintln!("error: {e}");
        for cause in e.chain().skip(1) {
            eprintln!("  caused by: {cause}");
        }
        std::process::exit(2);
    }
}

fn open_store(home: &Path) -> Result<Store> {
    Ok(Store::open(home)?)
}

fn run(cli: Cli) -> Result<()> {
    let home = cordon_engine::home_dir(cli.home.as_deref());
    let out = std::io::stdout();
    let mut out = out.lock();
    match cli.command {
        Command::Lists(ListsCommand::Import {
            paths,
            format,
            source,
            force,
            json,
        }) => {
            let mut store = open_store(&home)?;
            let opts = ImportOptions {
                format: format.format(),
                source,
                force,
                ..ImportOptions::default()
            };
            let reports = cordon_engine::import_paths(&mut store, &paths, &opts)?;
            if json {
                let v: Vec<_> = reports
                    .iter()
                    .map(|r| serde_json::json!({"path": r.path, "new": r.new, "version": r.version, "warnings": r.warnings, "parse_secs": r.parse_secs, "store_secs": r.store_secs, "rescreen": r.rescreen}))
                    .collect();
                writeln!(out, "{}", serde_json::json!({ "imports": v }))?;
            } else {
                for r in &reports {
                    for w in &r.warnings {
                        eprintln!("warning: {w}");
                    }
                    let v = &r.version;
                    let what = if r.new { "imported" } else { "already stored (no change)" };
                    writeln!(
                        out,
                        "{}: {what} as version {} — {} {} issued {}, {} entities ({} persons, {} organizations, {} vessels, {} aircraft), {} names, {} wallets{}; parsed in {:.2} s, stored in {:.2} s",
                        r.path.display(),
                        v.id,
                        v.source,
                        v.format,
                        v.issued.as_deref().unwrap_or("(no date)"),
                        v.counts.entities,
                        v.counts.persons,
                        v.counts.organizations,
                        v.counts.vessels,
                        v.counts.aircraft,
                        v.counts.names,
                        v.counts.wallets,
                        if v.active { ", active" } else { ", not active (the active version is newer, or as new and larger)" },
                        r.parse_secs,
                        r.store_secs
                    )?;
                    if let Some(rs) = &r.rescreen {
                        print_rescreen(&mut out, rs)?;
                    }
                }
            }
        }
        Command::Lists(ListsCommand::Update { source, url, force }) => {
            let mut store = open_store(&home)?;
            let sources: Vec<String> = match source {
                Some(s) => vec![s],
                None => vec!["un".into(), "ofac".into()],
            };
            let actor = cordon_engine::default_actor();
            for s in sources {
                let bar = progress_bar(&s);
                let mut progress = |done: u64, total: Option<u64>| {
                    if let Some(b) = &bar {
                        if let Some(t) = total {
                            b.set_length(t);
                        }
                        b.set_position(done);
                    }
                };
                let outcome = cordon_engine::update_source(&mut store, &home, &s, url.as_deref(), force, &actor, &mut progress);
                if let Some(b) = &bar {
                    b.finish_and_clear();
                }
                match outcome.with_context(|| format!("updating {s}; the active {s} list is unchanged"))? {
                    UpdateOutcome::NotModified => writeln!(out, "{s}: not modified since the last download")?,
                    UpdateOutcome::Unchanged(v) => writeln!(out, "{s}: unchanged (version {}, issued {})", v.id, v.issued.as_deref().unwrap_or("?"))?,
                    UpdateOutcome::Activated(v, rescreen) => {
                        writeln!(
                            out,
                            "{s}: activated version {} issued {}, {} entities",
                            v.id,
                            v.issued.as_deref().unwrap_or("?"),
                            v.counts.entities
                        )?;
                        if let Some(r) = rescreen {
                            print_rescreen(&mut out, &r)?;
                        }
                    }
                }
            }
        }
        Command::Lists(ListsCommand::Status { json }) => {
            let store = open_store(&home)?;
            let versions = store.versions()?;
            if json {
                writeln!(out, "{}", serde_json::json!({ "versions": versions }))?;
            } else if versions.is_empty() {
                writeln!(
                    out,
                    "no list versions in {}; load lists with `cordon lists update` or `cordon lists import PATH`",
                    home.display()
                )?;
            } else {
                print_status(&mut out, &versions)?;
            }
        }
        Command::Lists(ListsCommand::Diff { old, new, json }) => {
            let store = open_store(&home)?;
            let (old_label, a) = cordon_engine::load_entities(&store, &old)?;
            let (new_label, b) = cordon_engine::load_entities(&store, &new)?;
            let d = cordon_lists::diff::diff(&a, &b);
            if json {
                serde_json::to_writer(&mut out, &d)?;
                writeln!(out)?;
            } else {
                show::diff(&mut out, &old_label, &new_label, &d, &b)?;
            }
        }
        Command::Lists(ListsCommand::Export { version, format, output }) => {
            let mut store = open_store(&home)?;
            let sets = cordon_engine::export_entities(&mut store, &home, version)?;
            let mut sink = output_sink(output.as_deref(), out)?;
            match format {
                ExportFormat::Ftm => {
                    for (v, es) in &sets {
                        cordon_lists::ftm::write(es, &v.source, &mut sink)?;
                    }
                }
                ExportFormat::Csv => export_csv(&mut sink, &sets)?,
            }
            sink.flush()?;
            return Ok(());
        }
        Command::Match {
            name,
            dob,
            nationality,
            schema,
            id_number,
            wallet,
            limit,
            threshold,
            json,
        } => {
            if name.trim().is_empty() && wallet.is_none() && id_number.is_none() {
                anyhow::bail!("nothing to match: give a name (or --wallet / --id-number)");
            }
            let dob = match dob {
                Some(d) => Some(
                    cordon_model::PartialDate::parse_text(&d).with_context(|| format!("--dob {d:?} is not a date (YYYY, YYYY-MM, YYYY-MM-DD, 08 Jan 1984)"))?,
                ),
                None => None,
            };
            let nationality = match nationality {
                Some(c) => Some(
                    cordon_model::Country::from_name(&c)
                        .code
                        .with_context(|| format!("--nationality {c:?} is not a known country"))?,
                ),
                None => None,
            };
            let mut store = open_store(&home)?;
            let index = cordon_engine::index::ListIndex::load(&mut store, &home)?;
            let screener = &index.screener;
            let schema = schema.map(|s| match s {
                SchemaArg::Person => cordon_match::Schema::Person,
                SchemaArg::Organization => cordon_match::Schema::Organization,
            });
            let q = cordon_match::Query {
                name: name.clone(),
                dob,
                nationality,
                schema,
                gender: None,
                id_number,
                wallet,
            };
            let hits = screener.screen(&q, threshold, limit);
            if json {
                let m: Vec<_> = hits.iter().map(|h| serde_json::json!({"entity_id": h.entity_id, "caption": h.caption, "score": (h.score * 1000.0).round() / 1000.0, "explanation": h.explanation})).collect();
                writeln!(out, "{}", serde_json::json!({"query": name, "matches": m}))?;
            } else if hits.is_empty() {
                writeln!(out, "no match at or above {threshold} for {name:?} among {} listed entities", screener.len())?;
            } else {
                for h in &hits {
                    writeln!(out, "{:.3}  {}  {}", h.score, h.entity_id, h.caption)?;
                    for line in &h.explanation {
                        writeln!(out, "        {line}")?;
                    }
                }
            }
        }
        Command::Screen {
            input,
            output,
            output_format,
            threshold,
            limit,
            record,
            dataset,
        } => {
            let format = cordon_engine::screen::detect_input(&input)?;
            let out_format = match output_format {
                Some(OutputFormatArg::Csv) => cordon_engine::screen::OutputFormat::Csv,
                Some(OutputFormatArg::Jsonl) => cordon_engine::screen::OutputFormat::Jsonl,
                None if output.as_ref().and_then(|p| p.extension()).is_some_and(|e| e.eq_ignore_ascii_case("csv")) => cordon_engine::screen::OutputFormat::Csv,
                None => cordon_engine::screen::OutputFormat::Jsonl,
            };
            let mut store = open_store(&home)?;
            let index = cordon_engine::index::ListIndex::load(&mut store, &home)?;
            let (screener, versions) = (&index.screener, &index.versions);
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let opts = cordon_engine::screen::ScreenOptions {
                threshold,
                limit,
                output: out_format,
                threads,
            };
            let bar = std::io::stderr().is_terminal().then(|| {
                let b = indicatif::ProgressBar::new(0);
                b.set_style(
                    indicatif::ProgressStyle::with_template("screening [{bar:40}] {bytes}/{total_bytes} {msg} ETA {eta}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                b
            });
            let mut progress = |rows: u64, done: u64, total: u64| {
                if let Some(b) = &bar {
                    b.set_length(total);
                    b.set_position(done);
                    b.set_message(format!("{rows} rows"));
                }
            };
            let mut sink = output_sink(output.as_deref(), out)?;
            let actor = cordon_engine::default_actor();
            let mut recorder = match record {
                true => Some(cordon_engine::cases::Recorder::start(&mut store, &index, &dataset, threshold, &actor)?),
                false => None,
            };
            let summary = cordon_engine::screen::screen_file(screener, &input, format, &mut sink, &opts, recorder.as_mut(), &mut progress)?;
            sink.flush()?;
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            if let Some(r) = recorder {
                let without_id = r.without_id;
                let c = r.finish(summary.rows)?;
                eprintln!(
                    "recorded {} records in dataset {dataset:?}: {} new alerts, {} reopened, {} refreshed, {} decided false positives kept quiet{}",
                    c.records,
                    c.opened,
                    c.reopened,
                    c.refreshed,
                    c.suppressed,
                    if without_id > 0 {
                        format!("; {without_id} rows without an id were screened but not recorded")
                    } else {
                        String::new()
                    }
                );
            }
            let lists: Vec<String> = versions
                .iter()
                .map(|v| format!("{} {}", v.source, v.issued.as_deref().unwrap_or("?")))
                .collect();
            eprintln!(
                "screened {} rows against {} entities ({}): {} with matches, {} unreadable; {:.2} s ({:.0} rows/s)",
                summary.rows,
                screener.len(),
                lists.join(", "),
                summary.matched,
                summary.errors,
                summary.secs,
                summary.rows as f64 / summary.secs.max(1e-9)
            );
            return Ok(());
        }
        Command::Alerts(AlertsCommand::List { status, dataset, limit, json }) => {
            let store = open_store(&home)?;
            let statuses = cordon_engine::cases::status_filter(&status)?;
            let alerts = store.alerts(&cordon_store::AlertFilter { statuses, dataset, limit })?;
            for a in &alerts {
                if json {
                    writeln!(out, "{}", serde_json::to_string(a)?)?;
                } else {
                    let name = a.record.get("name").and_then(|v| v.as_str()).unwrap_or("");
                    writeln!(
                        out,
                        "{:>6}  {:<14} {:.3}  {}/{} {name:?} -> {}",
                        a.id,
                        a.status.as_str(),
                        a.score,
                        a.dataset,
                        a.record_id,
                        a.entity_id
                    )?;
                }
            }
            if !json {
                eprintln!("{} alerts", alerts.len());
            }
        }
        Command::Alerts(AlertsCommand::Show { id, json }) => {
            let store = open_store(&home)?;
            let a = store
                .alert(id)?
                .with_context(|| format!("no alert {id}; `cordon alerts list --status all` lists them"))?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&a)?)?;
            } else {
                writeln!(out, "alert {} — {} (score {:.3})", a.id, a.status.as_str(), a.score)?;
                writeln!(out, "record   {}/{} {}", a.dataset, a.record_id, a.record)?;
                let caption = if a.entity_id == cordon_engine::link::CLUSTER_ENTITY {
                    "worker-network cluster (cordon link)".to_string()
                } else {
                    store.entity(&a.entity_id)?.map(|(_, e)| e.caption().to_string()).unwrap_or_default()
                };
                writeln!(out, "entity   {} {caption} (list version {})", a.entity_id, a.version_id)?;
                writeln!(out, "raised   {}; updated {}", a.created, a.updated)?;
                if let Some(r) = &a.reason {
                    writeln!(out, "reason   {r}")?;
                }
                for line in &a.explanation {
                    writeln!(out, "  - {line}")?;
                }
                for d in &a.decisions {
                    writeln!(
                        out,
                        "decision {} by {} at {} (list version {}){}",
                        d.decision.as_str(),
                        d.actor,
                        d.at,
                        d.version_id,
                        d.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
                    )?;
                }
            }
        }
        Command::Alerts(AlertsCommand::Decide {
            id,
            false_positive,
            true_match: _,
            note,
            by,
        }) => {
            let mut store = open_store(&home)?;
            let decision = if false_positive {
                cordon_store::AlertStatus::FalsePositive
            } else {
                cordon_store::AlertStatus::TrueMatch
            };
            let actor = by.unwrap_or_else(cordon_engine::default_actor);
            let a = store.decide(id, decision, note.as_deref(), &actor)?;
            writeln!(out, "alert {} decided {} by {actor}", a.id, a.status.as_str())?;
        }
        Command::Serve {
            addr,
            keys_for_reads,
            max_body,
            max_queries,
            max_records,
            reload_secs,
        } => {
            let mut cfg = cordon_server::Config::new(home.clone());
            cfg.keys_for_reads = keys_for_reads;
            cfg.max_body_bytes = max_body;
            cfg.max_queries = max_queries.max(1);
            cfg.max_records = max_records.max(1);
            cfg.reload_every = std::time::Duration::from_secs(reload_secs.max(1));
            let state = cordon_server::AppState::open(cfg)?;
            cordon_server::run(state, addr, |local| {
                eprintln!("cordon serve: listening on http://{local} (home {})", home.display())
            })?;
        }
        Command::Keys(KeysCommand::Create { name }) => {
            let mut store = open_store(&home)?;
            let (key, secret) = cordon_engine::keys::create_key(&mut store, &name, &cordon_engine::default_actor())?;
            writeln!(out, "{secret}")?;
            eprintln!(
                "created key {:?} ({}…); it is shown only now: send it as `Authorization: ApiKey <key>`",
                key.name, key.prefix
            );
        }
        Command::Keys(KeysCommand::List) => {
            let store = open_store(&home)?;
            for k in store.keys()? {
                writeln!(
                    out,
                    "{:<20} {}…  created {} by {}{}",
                    k.name,
                    k.prefix,
                    k.created,
                    k.created_by,
                    k.revoked.map(|r| format!("  REVOKED {r}")).unwrap_or_default()
                )?;
            }
        }
        Command::Keys(KeysCommand::Revoke { name }) => {
            let mut store = open_store(&home)?;
            let k = store.revoke_key(&name, &cordon_engine::default_actor())?;
            eprintln!("revoked key {:?} ({}…)", k.name, k.prefix);
        }
        Command::Chain(cmd) => run_chain(cmd, &home, &mut out)?,
        Command::Link {
            cmd: Some(LinkCommand::Explain { cluster }),
            ..
        } => {
            let all = cordon_engine::link::last_clusters(&home)?;
            let c = all
                .iter()
                .find(|c| c.id == cluster)
                .with_context(|| format!("no cluster {cluster:?} in the last run ({} clusters)", all.len()))?;
            writeln!(out, "cluster {}: {} records, risk {:.2}", c.id, c.members.len(), c.risk)?;
            writeln!(out, "members: {}", c.members.join(", "))?;
            for s in &c.sanctions {
                writeln!(out, "SANCTIONS: {} ~ {} {} ({:.2}): {}", s.record, s.entity_id, s.caption, s.score, s.what)?;
            }
            for f in &c.flags {
                writeln!(out, "flag {} ({:.1}): {}", f.flag, f.score, f.detail)?;
            }
            for l in &c.links {
                writeln!(out, "{} — {} ({:.1} bits): {}", l.a, l.b, l.score, l.explanation)?;
            }
        }
        Command::Link {
            cmd: Some(LinkCommand::Dedupe {
                files,
                truth,
                threshold,
                output,
            }),
            ..
        } => {
            let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
            let table = cordon_link::er::read_table(&refs, truth.as_deref())?;
            let r = cordon_link::er::resolve(&table, threshold);
            let stdout = std::io::stdout();
            let mut sink = output_sink(output.as_deref(), stdout.lock())?;
            writeln!(sink, "id,cluster")?;
            for (id, c) in table.ids.iter().zip(&r.clusters) {
                writeln!(sink, "{id},{}", table.ids[*c as usize])?;
            }
            sink.flush()?;
            eprintln!(
                "{} records, {} candidate pairs, {} matches, {:.2} s",
                r.records, r.candidates, r.matches, r.secs
            );
            if let Some(q) = r.quality {
                eprintln!("pairwise precision {:.4}, recall {:.4}, F1 {:.4}", q.precision, q.recall, q.f1);
            }
        }
        Command::Link {
            cmd:
                Some(LinkCommand::Synth {
                    out: dir,
                    honest,
                    operators,
                    seed,
                    logins_per_record,
                    evaluate,
                }),
            ..
        } => {
            let o = cordon_link::synth::SynthOptions {
                honest,
                operators,
                seed,
                logins_per_record,
            };
            if evaluate {
                let a = cordon_engine::link::synth_evaluate(&o, cordon_link::cluster_threshold());
                writeln!(out, "{}", serde_json::to_string(&a)?)?;
            } else {
                let p = cordon_engine::link::synth_write(&o, &dir)?;
                writeln!(
                    out,
                    "wrote {} records and {} logins ({} operators) to {}",
                    p.records.len(),
                    p.logins.len(),
                    operators,
                    dir.display()
                )?;
            }
        }
        Command::Link {
            cmd: None,
            records,
            logins,
            mapping,
            output,
            report,
            threshold,
            record,
            memory_mb,
        } => {
            let records = records.context("give a records file: cordon link RECORDS [--logins FILE]")?;
            let mut store = open_store(&home)?;
            let input = cordon_engine::link::LinkInput {
                records: records.clone(),
                logins,
                mapping,
                threshold,
                record,
                memory_budget: memory_mb << 20,
            };
            let tty = std::io::stderr().is_terminal();
            let run = cordon_engine::link::run(&mut store, &home, &input, &mut |m| {
                if tty {
                    eprintln!("{m}");
                }
            })?;
            if let Some(c) = &run.recorded {
                eprintln!(
                    "recorded sanctions hits as alerts in dataset \"link\": {} new, {} reopened, {} kept quiet",
                    c.opened, c.reopened, c.suppressed
                );
            }
            let stdout = std::io::stdout();
            let mut sink = output_sink(output.as_deref(), stdout.lock())?;
            for c in &run.clusters {
                writeln!(sink, "{}", serde_json::to_string(c)?)?;
            }
            sink.flush()?;
            for s in run.skipped.iter().take(20) {
                eprintln!("skipped {s}");
            }
            if run.skipped.len() > 20 {
                eprintln!("… and {} more skipped rows", run.skipped.len() - 20);
            }
            let high = run.clusters.iter().filter(|c| c.risk >= 0.5).count();
            let summary = vec![
                format!("{} records, {} login events, {} links", run.records, run.logins, run.links),
                format!("{} clusters, {high} with risk ≥ 0.5", run.clusters.len()),
                if run.screened {
                    format!(
                        "sanctions: {} clusters with hits",
                        run.clusters.iter().filter(|c| !c.sanctions.is_empty()).count()
                    )
                } else {
                    "sanctions screening skipped: no lists loaded (cordon lists import / update)".to_string()
                },
            ];
            if let Some(p) = report {
                let html = cordon_link::report::html(&format!("Cordon link report: {}", records.display()), &summary, &run.report);
                std::fs::write(&p, html).with_context(|| format!("writing {}", p.display()))?;
            }
            for s in &summary {
                eprintln!("{s}");
            }
            eprintln!("{:.2} s", run.secs);
        }
        Command::Audit(AuditCommand::Export { format, output }) => {
            let store = open_store(&home)?;
            let log = store.audit_log()?;
            let mut sink = output_sink(output.as_deref(), out)?;
            match format {
                OutputFormatArg::Jsonl => {
                    for r in &log {
                        serde_json::to_writer(&mut sink, r)?;
                        sink.write_all(b"\n")?;
                    }
                }
                OutputFormatArg::Csv => {
                    let mut w = csv::Writer::from_writer(&mut sink);
                    w.write_record(["id", "at", "actor", "action", "version_id", "detail"])?;
                    for r in &log {
                        w.write_record([
                            r.id.to_string(),
                            r.at.clone(),
                            r.actor.clone(),
                            r.action.clone(),
                            r.version_id.map(|v| v.to_string()).unwrap_or_default(),
                            r.detail.to_string(),
                        ])?;
                    }
                    w.flush()?;
                }
            }
            sink.flush()?;
            return Ok(());
        }
        Command::Entity(EntityCommand::Show { id, json }) => {
            let mut store = open_store(&home)?;
            cordon_engine::ensure_lists(&mut store, &home)?;
            let (v, e) = store
                .entity(&id)?
                .with_context(|| format!("no entity {id:?} in the store (ids look like un:KPi.033 or ofac:20157)"))?;
            if json {
                writeln!(out, "{}", serde_json::json!({"version": v, "entity": e}))?;
            } else {
                show::entity(&mut out, &v, &e)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn run_chain(cmd: ChainCommand, home: &Path, out: &mut dyn Write) -> Result<()> {
    use cordon_engine::chain as ch;
    let actor = cordon_engine::default_actor();
    match cmd {
        ChainCommand::Import { paths, format, json } => {
            let format = match format {
                Some(f) => Some(cordon_chain::read::Format::parse(&f).with_context(|| format!("unknown format {f:?}: ethereum-etl, bitcoin-etl, btc-raw"))?),
                None => None,
            };
            let mut store = open_store(home)?;
            let t = std::time::Instant::now();
            let tty = std::io::stderr().is_terminal();
            let r = ch::import_chain(&mut store, home, &paths, format, &actor, &mut |m| {
                if tty {
                    eprintln!("{m}");
                }
            })?;
            if json {
                writeln!(out, "{}", serde_json::to_string(&r)?)?;
            } else {
                for f in &r.summary.files {
                    writeln!(
                        out,
                        "imported {} ({}): {} transfers, {} UTXO transactions",
                        f.path, f.format, f.edges, f.utxo_txs
                    )?;
                }
                for a in &r.summary.already {
                    writeln!(out, "already imported: {a}")?;
                }
                for n in &r.notes {
                    writeln!(out, "note: {n}")?;
                }
                if r.summary.unresolved_inputs > 0 {
                    writeln!(
                        out,
                        "note: {} inputs spend outputs that were not imported and do not reveal their address; they are left out of the address graph",
                        r.summary.unresolved_inputs
                    )?;
                }
                writeln!(
                    out,
                    "{} new addresses; graphs rebuilt: {}; {:.2} s",
                    r.summary.new_addresses,
                    r.summary.assets.join(", "),
                    t.elapsed().as_secs_f64()
                )?;
            }
        }
        ChainCommand::Tags(ChainTagsCommand::Import {
            paths,
            category,
            label,
            actor: tag_actor,
            from_lists,
        }) => {
            let mut store = open_store(home)?;
            let category = match category {
                Some(c) => Some(
                    cordon_model::TagCategory::parse(&c)
                        .with_context(|| format!("unknown category {c:?}: sanctioned, dprk, mixer, exchange, service, bridge, other"))?,
                ),
                None => None,
            };
            if paths.is_empty() && !from_lists {
                anyhow::bail!("nothing to import: give tag files or --from-lists");
            }
            if !paths.is_empty() {
                let d = cordon_chain::tags::TagDefaults {
                    category,
                    label,
                    actor: tag_actor,
                };
                let (n, new) = ch::import_tags(&mut store, &paths, &d, &actor)?;
                writeln!(out, "{n} tags read, {new} new")?;
            }
            if from_lists {
                let (n, new) = ch::tags_from_lists(&mut store, &actor)?;
                writeln!(out, "{n} tags from the sanctions lists' wallets, {new} new")?;
            }
        }
        ChainCommand::Tags(ChainTagsCommand::List) => {
            let store = open_store(home)?;
            for t in store.tags()? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    t.address,
                    t.category.as_str(),
                    t.label,
                    t.actor.unwrap_or_default(),
                    t.source
                )?;
            }
        }
        ChainCommand::Cluster { heuristics, output, explain } => {
            if let Some(a) = explain {
                let lines = ch::explain_cluster(home, &a)?;
                if lines.is_empty() {
                    writeln!(out, "{a} is alone in its cluster")?;
                }
                for l in lines {
                    writeln!(out, "{l}")?;
                }
                return Ok(());
            }
            let h = cordon_chain::cluster::Heuristics::parse(&heuristics).map_err(anyhow::Error::msg)?;
            let stdout = std::io::stdout();
            let mut sink = output_sink(output.as_deref(), stdout.lock())?;
            let (s, _) = ch::cluster_addresses(home, h, &mut sink)?;
            sink.flush()?;
            eprintln!("{}", serde_json::to_string(&s)?);
        }
        ChainCommand::Trace {
            from,
            model,
            direction,
            max_hops,
            asset,
            since,
            stop,
            json,
        } => {
            let store = open_store(home)?;
            let stop = stop
                .iter()
                .map(|c| cordon_model::TagCategory::parse(c).with_context(|| format!("unknown category {c:?} in --stop")))
                .collect::<Result<Vec<_>>>()?;
            let direction = match direction.as_str() {
                "forward" => cordon_graph::taint::Direction::Forward,
                "backward" => cordon_graph::taint::Direction::Backward,
                d => anyhow::bail!("unknown direction {d:?}: forward, backward"),
            };
            let opts = cordon_chain::analysis::TraceOptions {
                from,
                asset,
                model: ch::model(&model)?,
                direction,
                max_hops,
                since,
                stop,
            };
            let r = ch::trace(&store, home, &opts)?;
            if json {
                writeln!(out, "{}", serde_json::to_string(&r)?)?;
            } else {
                writeln!(
                    out,
                    "{} trace of {} ({}, {} level), {:?}, {} hops: {} addresses, {} transfers",
                    r.direction,
                    r.from,
                    r.asset,
                    r.level,
                    r.model,
                    r.max_hops,
                    r.nodes.len(),
                    r.edges.len()
                )?;
                for n in &r.nodes {
                    writeln!(
                        out,
                        "  hop {:>2}  {}  {} {}  ({:.1} %) {}",
                        n.hop,
                        n.address,
                        n.amount,
                        n.asset,
                        n.share * 100.0,
                        n.tags.join(", ")
                    )?;
                }
                for s in &r.stopped_at {
                    writeln!(out, "  stopped at {} ({}): {}", s.address, s.reason, s.tags.join(", "))?;
                }
                for s in &r.swaps {
                    writeln!(
                        out,
                        "  swap at {} (tx {}, block {}): {} {} in, {} {} out to {}, traced on",
                        s.dex, s.tx, s.block, s.amount_in, s.asset_in, s.amount_out, s.asset_out, s.to
                    )?;
                }
            }
        }
        ChainCommand::Exposure {
            address,
            asset,
            max_hops,
            json,
        } => {
            let store = open_store(home)?;
            let r = ch::exposure(&store, home, &address, asset.as_deref(), max_hops)?;
            if json {
                writeln!(out, "{}", serde_json::to_string(&r)?)?;
            } else {
                writeln!(out, "{} ({}): risk {}", r.address, r.asset, r.risk.to_uppercase())?;
                for l in &r.explanation {
                    writeln!(out, "  {l}")?;
                }
                for e in &r.exposure {
                    if !e.path.is_empty() {
                        writeln!(out, "  path from {}: {}", e.category.as_str(), e.path.join(" -> "))?;
                    }
                }
            }
        }
        ChainCommand::Synth {
            out: dir,
            users,
            transfers,
            hacks,
            seed,
            evaluate,
            max_hops,
            min_share,
        } => {
            let o = cordon_chain::synth::SynthOptions {
                users,
                transfers,
                hacks,
                seed,
                ..Default::default()
            };
            if evaluate {
                for m in ch::synth_evaluate(&o, max_hops, min_share)? {
                    writeln!(out, "{}", serde_json::to_string(&m)?)?;
                }
            } else {
                let s = ch::synth_write(&o, &dir)?;
                writeln!(
                    out,
                    "wrote {} ether and {} token transfers over {} addresses, {} tags, {} hacks to {}",
                    s.transfers.len(),
                    s.token_transfers.len(),
                    s.addresses.len(),
                    s.tags.len(),
                    s.truth.len(),
                    dir.display()
                )?;
            }
        }
        ChainCommand::Status => {
            let store = open_store(home)?;
            let chain = cordon_chain::dataset::ChainStore::open(&ch::chain_dir(home))?;
            writeln!(out, "{} addresses", chain.address_count())?;
            for (a, n) in chain.assets() {
                writeln!(out, "{a}: {n} transfers")?;
            }
            for i in chain.imports() {
                writeln!(out, "imported {} ({}, sha256 {}…)", i.path, i.format, &i.sha256[..12])?;
            }
            writeln!(out, "{} tags", store.tags()?.len())?;
        }
    }
    Ok(())
}

fn progress_bar(source: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(0);
    b.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    b.set_message(format!("downloading {source}"));
    Some(b)
}

fn print_status(out: &mut impl Write, versions: &[ListVersion]) -> Result<()> {
    writeln!(
        out,
        "{:>4}  {:<10} {:<14} {:<10} {:>8} {:>8} {:>6} {:>7} {:>8} {:>8} {:>7}  {:<6}  sha256",
        "id", "source", "format", "issued", "entities", "persons", "orgs", "vessels", "aircraft", "names", "wallets", "active"
    )?;
    for v in versions {
        writeln!(
            out,
            "{:>4}  {:<10} {:<14} {:<10} {:>8} {:>8} {:>6} {:>7} {:>8} {:>8} {:>7}  {:<6}  {}",
            v.id,
            v.source,
            v.format.as_str(),
            v.issued.as_deref().unwrap_or("-"),
            v.counts.entities,
            v.counts.persons,
            v.counts.organizations,
            v.counts.vessels,
            v.counts.aircraft,
            v.counts.names,
            v.counts.wallets,
            if v.active { "yes" } else { "" },
            &v.sha256[..16]
        )?;
    }
    Ok(())
}

fn export_csv(sink: &mut dyn Write, sets: &[(ListVersion, Vec<Entity>)]) -> Result<()> {
    let mut w = csv::Writer::from_writer(sink);
    w.write_record([
        "id",
        "source",
        "kind",
        "name",
        "aliases",
        "birth_dates",
        "nationalities",
        "programs",
        "wallets",
        "documents",
        "listed_on",
    ])?;
    for (v, es) in sets {
        for e in es {
            let join = |it: Vec<String>| it.join("; ");
            w.write_record([
                e.id.clone(),
                v.source.clone(),
                e.kind.to_string(),
                e.caption().to_string(),
                join(e.names.iter().skip(1).map(|n| n.full.clone()).collect()),
                join(e.birth_dates.iter().map(|d| d.to_string()).collect()),
                join(e.nationalities.iter().map(|c| c.code.clone().unwrap_or_else(|| c.name.clone())).collect()),
                join(e.programs.clone()),
                join(e.wallets.iter().map(|w| w.to_string()).collect()),
                join(e.documents.iter().map(|d| format!("{} {}", d.kind, d.number)).collect()),
                e.listed_on.map(|d| d.to_string()).unwrap_or_default(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

fn print_rescreen(out: &mut dyn Write, r: &cordon_engine::cases::RescreenReport) -> Result<()> {
    writeln!(
        out,
        "  re-screened {} stored records against {} added and {} changed entities: {} new alerts, {} reopened, {} refreshed; {} alerts closed ({} entities removed)",
        r.records, r.added, r.changed, r.alerts.opened, r.alerts.reopened, r.alerts.refreshed, r.alerts.closed, r.removed
    )?;
    Ok(())
}

/// Where a command writes: the named file (created), else standard output; buffered.
fn output_sink<'a>(path: Option<&Path>, stdout: std::io::StdoutLock<'a>) -> Result<Box<dyn Write + 'a>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(stdout)),
    })
}
