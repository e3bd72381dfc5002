//! Recall of the candidate index against a brute-force scan with the same scorer, on real lists
//! and a real query file, and the time of each (a ratio, measured in one process):
//!
//!     cargo run --release -p cordon-engine --example screen_recall -- HOME QUERIES.csv [N]
//!
//! HOME is a Cordon home with lists loaded; QUERIES.csv has a `name` column (bench/gen_queries.py).

use std::time::Instant;

/// The allocator the `cordon` binary uses (built with `--features mimalloc`, as bench/screen.sh
/// does; without it, the system's).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cordon_match::{Query, Schema, SCREEN_THRESHOLD};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let home = std::path::PathBuf::from(&args[1]);
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(300);
    let store = cordon_store::Store::open(&home).expect("store");
    let t = Instant::now();
    let versions = store.active_versions().expect("versions");
    let mut entities = Vec::new();
    for v in &versions {
        entities.extend(store.entities(v.id).expect("entities"));
    }
    let t_load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let screener = cordon_match::Screener::new(&entities);
    println!(
        "loaded {} entities in {t_load:.2} s; index built in {:.2} s",
        entities.len(),
        t.elapsed().as_secs_f64()
    );
    let mut rdr = csv::Reader::from_path(&args[2]).expect("queries");
    // The listed entity each query was made from, when the file says (bench/gen_queries.py).
    let listed_col = rdr.headers().expect("header").iter().position(|h| h == "listed_as");
    let (queries, listed_as): (Vec<Query>, Vec<String>) = rdr
        .records()
        .take(n)
        .map(|r| {
            let r = r.expect("row");
            let q = Query {
                name: r[1].to_string(),
                schema: Some(Schema::Person),
                ..Query::default()
            };
            (q, listed_col.and_then(|c| r.get(c)).unwrap_or_default().to_string())
        })
        .unzip();
    let t = Instant::now();
    let fast: Vec<_> = queries.iter().map(|q| screener.screen(q, SCREEN_THRESHOLD, usize::MAX)).collect();
    let t_index = t.elapsed().as_secs_f64();
    if listed_col.is_some() {
        // Quality at the default threshold on the same queries: a listed name in another
        // spelling should find the entity it was made from (the same person listed by
        // another list, under another id, does not count); an innocent name should find none.
        let (mut listed, mut found, mut innocent, mut alerted) = (0, 0, 0, 0);
        for (hits, want) in fast.iter().zip(&listed_as) {
            if want.is_empty() {
                innocent += 1;
                alerted += !hits.is_empty() as usize;
            } else {
                listed += 1;
                found += hits.iter().any(|h| &h.entity_id == want) as usize;
            }
        }
        println!(
            "by name alone at threshold {SCREEN_THRESHOLD}: {found}/{listed} listed names in other spellings found their entity ({:.1} %); {alerted}/{innocent} innocent names matched something ({:.2} %)",
            100.0 * found as f64 / listed.max(1) as f64,
            100.0 * alerted as f64 / innocent.max(1) as f64
        );
    }
    if std::env::var_os("CORDON_BENCH_NO_SCAN").is_some() {
        // More passes over the same queries, in this process: this VM's speed drifts from run
        // to run, and the spread of several passes shows how much.
        let passes: usize = std::env::var("CORDON_BENCH_PASSES").ok().and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
        let mut rates = vec![queries.len() as f64 / t_index];
        // Beside the wall clock, what the VM's kernel counts: the thread's time on a CPU and
        // its wait for one, and the time the hypervisor gave this CPU to other guests
        // (steal). A slow pass with steal was a pass without the whole core.
        let (mut on_cpu, mut waited) = (0u64, 0u64);
        let cpu = sched::cpu();
        let steal_before = cpu.and_then(sched::steal);
        for _ in 1..passes {
            let before = sched::thread();
            let t = Instant::now();
            let again: usize = queries.iter().map(|q| screener.screen(q, SCREEN_THRESHOLD, usize::MAX).len()).sum();
            let wall = t.elapsed().as_secs_f64();
            if let (Some(b), Some(a)) = (before, sched::thread()) {
                on_cpu += a.0 - b.0;
                waited += a.1 - b.1;
            }
            rates.push(queries.len() as f64 / wall);
            assert_eq!(again, fast.iter().map(Vec::len).sum::<usize>(), "a pass found other hits");
        }
        if passes == 1 {
            println!("{} queries: index {:.0} q/s (one thread)", queries.len(), rates[0]);
        } else {
            let each: Vec<String> = rates.iter().map(|r| format!("{r:.0}")).collect();
            rates.sort_by(f64::total_cmp);
            println!(
                "{} queries, {passes} passes: index median {:.0} q/s (one thread; passes {})",
                queries.len(),
                rates[passes / 2],
                each.join(", ")
            );
            if let (Some(c), Some(s0), Some(s1)) = (cpu, steal_before, cpu.and_then(sched::steal)) {
                let n = (queries.len() * (passes - 1)) as f64;
                println!(
                    "passes 2-{passes} by the kernel's clocks: {:.0} q/s of time on a CPU, {:.0} ms waiting for one; cpu{c} stolen by the hypervisor {:.1} % of the time",
                    n / (on_cpu as f64 * 1e-9),
                    waited as f64 * 1e-6,
                    100.0 * (s1.0 - s0.0) as f64 / (s1.1 - s0.1).max(1) as f64
                );
            }
        }
        return;
    }
    let t = Instant::now();
    let full: Vec<_> = queries.iter().map(|q| screener.screen_all(q, SCREEN_THRESHOLD, usize::MAX)).collect();
    let t_scan = t.elapsed().as_secs_f64();
    let (mut want, mut found) = (0, 0);
    let mut missed = Vec::new();
    for ((f, a), q) in fast.iter().zip(&full).zip(&queries) {
        for h in a {
            want += 1;
            if f.iter().any(|x| x.entity_id == h.entity_id) {
                found += 1;
            } else {
                missed.push(format!("{:.3} {} -> {} [{}]", h.score, q.name, h.caption, h.explanation.join("; ")));
            }
        }
    }
    if std::env::var_os("CORDON_BENCH_ERRORS").is_some() {
        missed.iter().for_each(|m| println!("missed {m}"));
    }
    println!(
        "{} queries: index recall {found}/{want} = {:.4}; index {:.0} q/s, brute force {:.1} q/s (one thread), speed-up {:.0}x",
        queries.len(),
        found as f64 / want.max(1) as f64,
        queries.len() as f64 / t_index,
        queries.len() as f64 / t_scan,
        t_scan / t_index
    );
}

/// The Linux kernel's scheduler clocks, read from /proc (None elsewhere).
mod sched {
    /// The calling thread's time on a CPU and time waiting for one, in ns.
    pub fn thread() -> Option<(u64, u64)> {
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        let mut f = s.split_whitespace().map(|x| x.parse::<u64>().ok());
        Some((f.next()??, f.next()??))
    }

    /// The CPU the calling thread last ran on (field 39 of its stat).
    pub fn cpu() -> Option<usize> {
        let s = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest = &s[s.rfind(')')? + 2..];
        rest.split_whitespace().nth(36)?.parse().ok()
    }

    /// Ticks of `cpu` stolen by the hypervisor, and all its ticks.
    pub fn steal(cpu: usize) -> Option<(u64, u64)> {
        let s = std::fs::read_to_string("/proc/stat").ok()?;
        let line = s.lines().find(|l| l.split_whitespace().next() == Some(&format!("cpu{cpu}")))?;
        let ticks: Vec<u64> = line.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
        Some((*ticks.get(7)?, ticks.iter().take(8).sum()))
    }
}
