//! Traces and exposure over a chain dataset, with tags, as reports for people and JSON.

use std::collections::{BTreeMap, HashMap};

use cordon_graph::taint::{reach, simulate, Direction, Models, Reach};
use cordon_graph::{Amount, Graph};
use cordon_model::{Tag, TagCategory};
use serde::Serialize;

use crate::dataset::ChainStore;
use crate::ChainError;

/// Taint model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Any taint taints the whole transfer.
    Poison,
    /// A transfer carries the sender's tainted share of its balance.
    Haircut,
    /// A transfer spends the sender's oldest funds first.
    Fifo,
}

impl Model {
    /// Parses `poison`, `haircut`, `fifo`.
    pub fn parse(s: &str) -> Option<Model> {
        Some(match s {
            "poison" => Model::Poison,
            "haircut" => Model::Haircut,
            "fifo" => Model::Fifo,
            _ => return None,
        })
    }
}

/// Tags by address id.
#[derive(Clone, Debug, Default)]
pub struct TagIndex {
    by_id: HashMap<u32, Vec<Tag>>,
}

impl TagIndex {
    /// Indexes the tags whose addresses the dataset holds.
    pub fn new(store: &ChainStore, tags: Vec<Tag>) -> TagIndex {
        let mut by_id: HashMap<u32, Vec<Tag>> = HashMap::new();
        for t in tags {
            if let Some(id) = store.id(&t.address) {
                by_id.entry(id).or_default().push(t);
            }
        }
        TagIndex { by_id }
    }

    /// Tags of an address id.
    pub fn of(&self, id: u32) -> &[Tag] {
        self.by_id.get(&id).map_or(&[], Vec::as_slice)
    }

    /// Number of tagged addresses in the dataset.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// True when no dataset address is tagged.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

pub(crate) fn tag_names(tags: &[Tag]) -> Vec<String> {
    let mut v: Vec<String> = tags.iter().map(|t| format!("{} ({})", t.label, t.category.as_str())).collect();
    v.dedup();
    v
}

/// One node of a trace.
#[derive(Clone, Debug, Serialize)]
pub struct TraceNode {
    /// Address.
    pub address: String,
    /// Asset the taint is in at this node (a swap moves it into another).
    pub asset: String,
    /// Hops from the start.
    pub hop: u32,
    /// Tainted amount (forward: received; backward: contributed), smallest units.
    pub amount: String,
    /// Tainted share of what the node received (forward) or of what the target received
    /// (backward).
    pub share: f64,
    /// Tags.
    pub tags: Vec<String>,
}

/// One transfer of a trace.
#[derive(Clone, Debug, Serialize)]
pub struct TraceEdge {
    /// Sender.
    pub from: String,
    /// Asset moved.
    pub asset: String,
    /// Receiver.
    pub to: String,
    /// Transaction hash.
    pub tx: String,
    /// Tainted amount carried (the transfer's amount under poison).
    pub amount: String,
    /// Block height.
    pub block: u32,
}

/// Where a trace stopped.
#[derive(Clone, Debug, Serialize)]
pub struct Stop {
    /// Address.
    pub address: String,
    /// `service`.
    pub reason: String,
    /// Tags.
    pub tags: Vec<String>,
}

/// A trace.
#[derive(Clone, Debug, Serialize)]
pub struct TraceReport {
    /// The start address.
    pub from: String,
    /// Asset traced.
    pub asset: String,
    /// Model.
    pub model: Model,
    /// `forward` or `backward`.
    pub direction: &'static str,
    /// Hop limit.
    pub max_hops: u32,
    /// `address` (taint on an address's balance) or `output` (taint on UTXO outputs: forward
    /// traces of UTXO chains whose transactions name the outputs they spend).
    pub level: &'static str,
    /// Nodes with taint, nearest first.
    pub nodes: Vec<TraceNode>,
    /// Transfers that carried taint.
    pub edges: Vec<TraceEdge>,
    /// Services reached and not followed.
    pub stopped_at: Vec<Stop>,
    /// Swaps at decentralised exchanges the trace followed into another asset (forward).
    pub swaps: Vec<Swap>,
    /// Edges examined by the traversal.
    pub edges_scanned: u64,
}

/// A swap followed from one asset into another: tainted funds sent to a DEX and the other
/// asset paid out in the same transaction.
#[derive(Clone, Debug, Serialize)]
pub struct Swap {
    /// Transaction hash.
    pub tx: String,
    /// The DEX address (pool or router).
    pub dex: String,
    /// Asset sent in, and the tainted amount of it.
    pub asset_in: String,
    /// Tainted amount sent in.
    pub amount_in: String,
    /// Asset paid out.
    pub asset_out: String,
    /// Tainted amount paid out (the tainted share of what was sent in).
    pub amount_out: String,
    /// Who received the output; the trace goes on from there.
    pub to: String,
    /// Block height.
    pub block: u32,
}

/// What to trace.
#[derive(Clone, Debug)]
pub struct TraceOptions {
    /// Start address.
    pub from: String,
    /// Asset (`btc`, `eth`, `erc20:0x…`); `None`: the only asset the address has transfers in.
    pub asset: Option<String>,
    /// Model.
    pub model: Model,
    /// Direction.
    pub direction: Direction,
    /// Hop limit.
    pub max_hops: u32,
    /// Taint starts at this block (forward).
    pub since: u32,
    /// Categories a trace does not follow through (default: exchanges and other services).
    pub stop: Vec<TagCategory>,
}

fn amount_str(model: Model, poison: Amount, haircut: f64, fifo: Amount) -> (String, f64) {
    match model {
        Model::Poison => (poison.to_string(), poison as f64),
        Model::Haircut => (format!("{:.0}", haircut.max(0.0)), haircut),
        Model::Fifo => (fifo.to_string(), fifo as f64),
    }
}

/// Adds a reached node to a report (and to `stopped_at` when the trace stopped there).
#[allow(clippy::too_many_arguments)]
fn push_node(
    report: &mut TraceReport,
    store: &ChainStore,
    tags: &TagIndex,
    stop: &[TagCategory],
    asset: &str,
    reached: &cordon_graph::taint::Reached,
    hop: u32,
    amount: String,
    share: f64,
) {
    let t = tags.of(reached.node);
    report.nodes.push(TraceNode {
        address: store.address(reached.node).to_string(),
        asset: asset.to_string(),
        hop,
        amount,
        share,
        tags: tag_names(t),
    });
    if reached.stopped {
        report.stopped_at.push(Stop {
            address: store.address(reached.node).to_string(),
            reason: stop_reason(t, stop),
            tags: tag_names(t),
        });
    }
}

pub(crate) fn stop_reason(tags: &[Tag], stop: &[TagCategory]) -> String {
    if tags.iter().any(|t| t.category == TagCategory::Dex) {
        return "dex".into();
    }
    match tags.iter().find(|t| stop.contains(&t.category)).map(|t| t.category) {
        Some(c) if c.is_service() => "service".into(),
        Some(c) => c.as_str().to_string(),
        None => "service".into(),
    }
}

/// The asset an address has transfers in (the given one, else the only one).
fn pick_asset(store: &ChainStore, id: u32, asset: Option<&str>) -> Result<(String, Graph), ChainError> {
    if let Some(a) = asset {
        return Ok((a.to_string(), store.graph(a)?));
    }
    let mut found = Vec::new();
    for (a, _) in store.assets() {
        let g = store.graph(&a)?;
        if id < g.nodes() && (g.out_degree(id) > 0 || g.in_degree(id) > 0) {
            found.push((a, g));
        }
    }
    match found.len() {
        1 => Ok(found.pop().expect("one")),
        0 => Err(ChainError::Invalid(format!("{} has no imported transfers", store.address(id)))),
        _ => Err(ChainError::Invalid(format!(
            "{} has transfers in several assets ({}); pass --asset",
            store.address(id),
            found.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Traces funds from (forward) or into (backward) an address.
///
/// Forward, a transfer of tainted funds to a decentralised exchange (an address tagged
/// `dex`) is a swap: the DEX itself is not followed (its pool belongs to everyone who trades
/// there), but what it paid out in another asset in the same transaction is, from the
/// recipient on, with the tainted share of what was sent in (haircut and FIFO; poison taints
/// it all), within the same hop budget.
pub fn trace(store: &ChainStore, tags: &TagIndex, opts: &TraceOptions) -> Result<TraceReport, ChainError> {
    let id = store
        .id(&opts.from)
        .ok_or_else(|| ChainError::Invalid(format!("address {} is not in the imported chain data", opts.from)))?;
    let (asset, g) = pick_asset(store, id, opts.asset.as_deref())?;
    let mut report = TraceReport {
        from: store.address(id).to_string(),
        asset: asset.clone(),
        model: opts.model,
        direction: if opts.direction == Direction::Forward { "forward" } else { "backward" },
        max_hops: opts.max_hops,
        level: "address",
        nodes: Vec::new(),
        edges: Vec::new(),
        stopped_at: Vec::new(),
        swaps: Vec::new(),
        edges_scanned: 0,
    };
    if asset == "btc" {
        let r = match opts.direction {
            Direction::Forward => crate::outputs::forward(store, tags, opts, id, &asset)?,
            Direction::Backward => crate::outputs::backward(store, tags, opts, id, &asset)?,
        };
        if let Some(r) = r {
            return Ok(r);
        }
    }
    match opts.direction {
        Direction::Forward => {
            let mut legs = vec![Leg {
                asset,
                g,
                start: id,
                since: opts.since,
                hop: 0,
                scale: 1.0,
                received: None,
            }];
            let mut seen: std::collections::HashSet<(String, u32, u32)> = Default::default();
            let mut several = false;
            // In rounds: every leg of a round is traced, then each other asset is scanned once
            // for the outputs of all the round's swaps.
            while !legs.is_empty() {
                let mut swaps: Vec<(String, f64, SwapIn)> = Vec::new();
                for leg in std::mem::take(&mut legs) {
                    if !seen.insert((leg.asset.clone(), leg.start, leg.since)) {
                        continue;
                    }
                    for s in forward_leg(store, tags, opts, &leg, &mut report) {
                        swaps.push((leg.asset.clone(), leg.scale, s));
                    }
                }
                if !swaps.is_empty() {
                    legs = swap_outputs(store, tags, opts, &swaps, &mut report)?;
                    several |= !legs.is_empty();
                }
            }
            if several {
                merge_legs(&mut report);
            }
        }
        Direction::Backward => {
            // In rounds of legs, like forward: a leg's DEX sources are swaps, and the other
            // asset's input legs of those swaps are traced back in turn.
            let mut legs = vec![BackLeg {
                asset,
                g,
                start: id,
                hop: 0,
                seed: None,
                fraction: 1.0,
            }];
            let mut several = false;
            while !legs.is_empty() {
                let mut payouts: Vec<Payout> = Vec::new();
                for leg in std::mem::take(&mut legs) {
                    payouts.extend(backward_leg(store, tags, opts, &leg, &mut report));
                }
                if !payouts.is_empty() {
                    legs = swap_inputs(store, tags, opts, &payouts, &mut report)?;
                    several |= !legs.is_empty();
                }
            }
            if several {
                merge_legs(&mut report);
            }
        }
    }
    report
        .nodes
        .sort_by(|a, b| a.hop.cmp(&b.hop).then_with(|| a.address.cmp(&b.address)).then_with(|| a.asset.cmp(&b.asset)));
    Ok(report)
}

/// Legs of one trace can reach the same address (two swaps whose outputs meet again): one
/// node per address and asset, at its nearest hop, and one edge per transfer. Haircut and FIFO
/// amounts of different legs add up (each carries another swap's taint); poison keeps the
/// largest (a transfer is tainted or not).
fn merge_legs(report: &mut TraceReport) {
    let add = report.model != Model::Poison;
    let combine = |a: &str, b: &str| -> String {
        match (a.parse::<u128>(), b.parse::<u128>()) {
            (Ok(x), Ok(y)) => (if add { x.saturating_add(y) } else { x.max(y) }).to_string(),
            _ => a.to_string(),
        }
    };
    let mut nodes: BTreeMap<(String, String), TraceNode> = BTreeMap::new();
    for n in report.nodes.drain(..) {
        match nodes.entry((n.address.clone(), n.asset.clone())) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(n);
            }
            std::collections::btree_map::Entry::Occupied(mut o) => {
                let m = o.get_mut();
                m.hop = m.hop.min(n.hop);
                m.amount = combine(&m.amount, &n.amount);
                m.share = if add { (m.share + n.share).min(1.0) } else { m.share.max(n.share) };
            }
        }
    }
    report.nodes = nodes.into_values().collect();
    let mut edges: BTreeMap<(String, String, String, String), TraceEdge> = BTreeMap::new();
    for e in report.edges.drain(..) {
        match edges.entry((e.asset.clone(), e.tx.clone(), e.from.clone(), e.to.clone())) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(e);
            }
            std::collections::btree_map::Entry::Occupied(mut o) => {
                let m = o.get_mut();
                m.amount = combine(&m.amount, &e.amount);
            }
        }
    }
    report.edges = edges.into_values().collect();
    let mut seen = std::collections::HashSet::new();
    report.stopped_at.retain(|s| seen.insert(s.address.clone()));
}

fn edge_out(store: &ChainStore, g: &Graph, asset: &str, e: u32, src: u32, amount: String) -> TraceEdge {
    TraceEdge {
        from: store.address(src).to_string(),
        asset: asset.to_string(),
        to: store.address(g.target(e)).to_string(),
        tx: store.tx_hash(g.tx(e)).to_string(),
        amount,
        block: g.time(e),
    }
}

/// One asset's part of a forward trace: from `start`, whose transfers from `since` on carry
/// taint (scaled by `scale` for haircut and FIFO), `hop` hops from the trace's start.
struct Leg {
    asset: String,
    g: Graph,
    start: u32,
    since: u32,
    hop: u32,
    scale: f64,
    /// For a swap's recipient: the tainted amount it received in the swap.
    received: Option<f64>,
}

/// A tainted transfer into a DEX: (transaction id, sender, DEX node, the DEX's hop, tainted
/// share of the transfer, tainted amount).
type SwapIn = (u32, u32, u32, u32, f64, f64);

fn is_dex(tags: &TagIndex, v: u32) -> bool {
    tags.of(v).iter().any(|t| t.category == TagCategory::Dex)
}

/// Traces one leg into the report; returns the tainted transfers into DEXs.
fn forward_leg(store: &ChainStore, tags: &TagIndex, opts: &TraceOptions, leg: &Leg, report: &mut TraceReport) -> Vec<SwapIn> {
    let g = &leg.g;
    let stop = |v: u32| v != leg.start && (is_dex(tags, v) || tags.of(v).iter().any(|t| opts.stop.contains(&t.category)));
    let r = reach(g, &[leg.start], leg.since, Direction::Forward, opts.max_hops.saturating_sub(leg.hop), &stop);
    report.edges_scanned += r.edges_scanned;
    // Only the model asked for: FIFO's lots cost the most, and a trace shows one model.
    let models = Models {
        poison: opts.model == Model::Poison,
        haircut: opts.model == Model::Haircut,
        fifo: opts.model == Model::Fifo,
        edges: true,
    };
    let sim = simulate(g, &r, &[(leg.start, 0)], 1, leg.since, models);
    let scaled = |value: f64, text: String| -> (String, f64) {
        if opts.model == Model::Poison || leg.scale >= 1.0 {
            (text, value)
        } else {
            let v = value * leg.scale;
            (format!("{v:.0}"), v)
        }
    };
    for (i, reached) in r.nodes.iter().enumerate() {
        let n = sim.node(i);
        if reached.hop == 0 {
            // A swap's recipient: listed with what it received from the swap.
            if let Some(got) = leg.received {
                let amount = if opts.model == Model::Poison {
                    format!("{got:.0}")
                } else {
                    format!("{:.0}", got * leg.scale)
                };
                report.nodes.push(TraceNode {
                    address: store.address(leg.start).to_string(),
                    asset: leg.asset.clone(),
                    hop: leg.hop,
                    amount,
                    share: leg.scale.min(1.0),
                    tags: tag_names(tags.of(leg.start)),
                });
            }
            continue;
        }
        let (amount, value) = amount_str(opts.model, n.poison[0], n.haircut[0], n.fifo[0]);
        let (amount, value) = scaled(value, amount);
        if value < 0.5 {
            continue;
        }
        let share = if n.received > 0 { (value / n.received as f64).min(1.0) } else { 0.0 };
        let hop = u32::from(reached.hop) + leg.hop;
        push_node(report, store, tags, &opts.stop, &leg.asset, reached, hop, amount, share);
    }
    let mut swaps = Vec::new();
    for te in &sim.edges {
        let (amount, value) = amount_str(opts.model, if te.poison != 0 { g.amount(te.edge) } else { 0 }, te.haircut, te.fifo);
        let (amount, value) = scaled(value, amount);
        if value < 0.5 {
            continue;
        }
        report.edges.push(edge_out(store, g, &leg.asset, te.edge, g.source(te.edge), amount));
        let to = g.target(te.edge);
        if is_dex(tags, to) {
            let hop = r.get(to).map_or(0, |x| u32::from(x.hop)) + leg.hop;
            let share = (value / g.amount(te.edge).max(1) as f64).min(1.0);
            swaps.push((g.tx(te.edge), g.source(te.edge), to, hop, share, value));
        }
    }
    swaps
}

/// The outputs of the swaps (asset sent in, that leg's scale, the swap) in the other assets
/// (same transaction, paid by a DEX or to the sender, not to another DEX), recorded in the
/// report, as the legs that trace them on.
fn swap_outputs(
    store: &ChainStore,
    tags: &TagIndex,
    opts: &TraceOptions,
    swaps: &[(String, f64, SwapIn)],
    report: &mut TraceReport,
) -> Result<Vec<Leg>, ChainError> {
    let mut by_tx: HashMap<u32, Vec<&(String, f64, SwapIn)>> = HashMap::new();
    for s in swaps {
        by_tx.entry(s.2 .0).or_default().push(s);
    }
    let mut out = Vec::new();
    let skip = |asset: &str| swaps.iter().all(|s| s.0 == asset);
    transfers_in(store, &|tx| by_tx.contains_key(&tx), &skip, &mut |asset, g, v, e| {
        let to = g.target(e);
        for &&(ref asset_in, leg_scale, (_, sender, dex, hop, share, value_in)) in &by_tx[&g.tx(e)] {
            if asset_in == asset || is_dex(tags, to) || !(is_dex(tags, v) || to == sender) || hop + 1 > opts.max_hops {
                continue;
            }
            let got = g.amount(e) as f64;
            let scale = if opts.model == Model::Poison { 1.0 } else { share * leg_scale.min(1.0) };
            let amount_out = if opts.model == Model::Poison { got } else { got * scale };
            report.swaps.push(Swap {
                tx: store.tx_hash(g.tx(e)).to_string(),
                dex: store.address(dex).to_string(),
                asset_in: asset_in.clone(),
                amount_in: format!("{value_in:.0}"),
                asset_out: asset.to_string(),
                amount_out: format!("{amount_out:.0}"),
                to: store.address(to).to_string(),
                block: g.time(e),
            });
            report.edges.push(edge_out(store, g, asset, e, v, format!("{amount_out:.0}")));
            out.push(Leg {
                asset: asset.to_string(),
                g: store.graph(asset)?,
                start: to,
                since: g.time(e),
                hop: hop + 1,
                scale,
                received: Some(got),
            });
        }
        Ok(())
    })?;
    Ok(out)
}

/// What [`transfers_in`] hands each transfer to: (asset, its graph, sender, edge).
type OnTransfer<'a> = dyn FnMut(&str, &Graph, u32, u32) -> Result<(), ChainError> + 'a;

/// Every transfer of the assets not skipped whose transaction is one of `txs`, handed to `f`
/// as (asset, its graph, sender, edge): one pass over each asset's edges (transaction ids are
/// global across assets, so a swap's legs meet here).
fn transfers_in(store: &ChainStore, txs: &dyn Fn(u32) -> bool, skip: &dyn Fn(&str) -> bool, f: &mut OnTransfer<'_>) -> Result<(), ChainError> {
    for (asset, _) in store.assets() {
        if skip(&asset) {
            continue;
        }
        let g = store.graph(&asset)?;
        for e in 0..g.edges() as u32 {
            if txs(g.tx(e)) {
                f(&asset, &g, g.source(e), e)?;
            }
        }
    }
    Ok(())
}

/// One asset's part of a backward trace: the sources of the start's receipts, or (with a
/// `seed`) of an amount of one transfer it made (a swap's input leg); `fraction` is the share
/// of the traced address's receipts that one unit of this leg's demand stands for.
struct BackLeg {
    asset: String,
    g: Graph,
    start: u32,
    hop: u32,
    seed: Option<(u32, f64)>,
    fraction: f64,
}

/// A DEX's payout into a backward leg: (asset, transaction, DEX, recipient, payout amount,
/// part of it that reached the traced address, the DEX's hop, that part as a share of the
/// traced address's receipts, block).
type Payout = (String, u32, u32, u32, f64, f64, u32, f64, u32);

/// Traces one leg back into the report; returns the DEX payouts that funded it.
fn backward_leg(store: &ChainStore, tags: &TagIndex, opts: &TraceOptions, leg: &BackLeg, report: &mut TraceReport) -> Vec<Payout> {
    let g = &leg.g;
    let stop = |v: u32| v != leg.start && (is_dex(tags, v) || tags.of(v).iter().any(|t| opts.stop.contains(&t.category)));
    let r = reach(g, &[leg.start], 0, Direction::Backward, opts.max_hops.saturating_sub(leg.hop), &stop);
    report.edges_scanned += r.edges_scanned;
    let (node_amounts, edge_amounts, total) = backward_amounts(g, &r, opts.model, leg.seed);
    let share_of = |value: f64| if total > 0.0 { (value / total * leg.fraction).min(1.0) } else { 0.0 };
    for reached in &r.nodes {
        // A swap's sender is listed with what it put into the swap.
        let value = match (reached.hop, leg.seed) {
            (0, None) => continue,
            (0, Some((_, d))) => d,
            _ => node_amounts.get(&reached.node).copied().unwrap_or(0.0),
        };
        if value < 0.5 {
            continue;
        }
        let hop = u32::from(reached.hop) + leg.hop;
        push_node(
            report,
            store,
            tags,
            &opts.stop,
            &leg.asset,
            reached,
            hop,
            format!("{value:.0}"),
            share_of(value),
        );
    }
    if let Some((e, d)) = leg.seed {
        report.edges.push(edge_out(store, g, &leg.asset, e, leg.start, format!("{d:.0}")));
    }
    let mut payouts = Vec::new();
    for (e, (src, v)) in edge_amounts {
        if v < 0.5 {
            continue;
        }
        report.edges.push(edge_out(store, g, &leg.asset, e, src, format!("{v:.0}")));
        if is_dex(tags, src) {
            let hop = r.get(src).map_or(0, |x| u32::from(x.hop)) + leg.hop;
            payouts.push((leg.asset.clone(), g.tx(e), src, g.target(e), g.amount(e) as f64, v, hop, share_of(v), g.time(e)));
        }
    }
    payouts
}

/// The other assets' input legs of the swaps that paid into backward legs (same transaction,
/// from a non-DEX sender into a DEX), recorded in the report, as the legs that trace them back.
fn swap_inputs(store: &ChainStore, tags: &TagIndex, opts: &TraceOptions, payouts: &[Payout], report: &mut TraceReport) -> Result<Vec<BackLeg>, ChainError> {
    let mut by_tx: HashMap<u32, Vec<&Payout>> = HashMap::new();
    for p in payouts {
        by_tx.entry(p.1).or_default().push(p);
    }
    let mut out = Vec::new();
    let skip = |asset: &str| payouts.iter().all(|p| p.0 == asset);
    transfers_in(store, &|tx| by_tx.contains_key(&tx), &skip, &mut |asset, g, v, e| {
        if is_dex(tags, v) || !is_dex(tags, g.target(e)) {
            return Ok(());
        }
        for &&(ref asset_out, _, dex, to, paid, reached, hop, share, block) in &by_tx[&g.tx(e)] {
            if asset_out == asset || hop + 1 > opts.max_hops || paid <= 0.0 {
                continue;
            }
            // The part of this input that stands for what reached the address.
            let demand = g.amount(e) as f64 * reached / paid;
            report.swaps.push(Swap {
                tx: store.tx_hash(g.tx(e)).to_string(),
                dex: store.address(dex).to_string(),
                asset_in: asset.to_string(),
                amount_in: format!("{demand:.0}"),
                asset_out: asset_out.clone(),
                amount_out: format!("{reached:.0}"),
                to: store.address(to).to_string(),
                block,
            });
            out.push(BackLeg {
                asset: asset.to_string(),
                g: store.graph(asset)?,
                start: v,
                hop: hop + 1,
                seed: Some((e, demand)),
                fraction: share,
            });
        }
        Ok(())
    })?;
    Ok(out)
}

/// Backward attribution: what each upstream node contributed to the start node's receipts.
/// The start's inflows are its demand; a node passes the demand on each outgoing transfer
/// back to the inflows that funded it, replaying the node's own history: poison passes the
/// whole of every earlier inflow, haircut splits by the inflows' shares of the balance at the
/// time of the transfer (every transfer takes the same share of every inflow still held), FIFO
/// by the inflows the transfer spent, oldest first. Funds a node held before the imported
/// history are clean and unattributed.
/// Per node: amount contributed; per edge: (sender, amount of it that reached the start);
/// and the start's total receipts.
type Backward = (HashMap<u32, f64>, BTreeMap<u32, (u32, f64)>, f64);

/// With a `seed` (an out-edge of the start and an amount of it), the demand is that amount of
/// that transfer instead of the start's receipts (a swap's input leg, traced back).
fn backward_amounts(g: &Graph, r: &Reach, model: Model, seed: Option<(u32, f64)>) -> Backward {
    let mut edge_demand: BTreeMap<u32, (u32, f64)> = BTreeMap::new();
    let mut node_amount: HashMap<u32, f64> = HashMap::new();
    let mut total = 0.0;
    let mut order: Vec<&cordon_graph::taint::Reached> = r.nodes.iter().collect();
    order.sort_by_key(|n| n.hop);
    let mut out_demand: HashMap<u32, Vec<(u32, f64)>> = HashMap::new();
    if let (Some((e, d)), Some(start)) = (seed, order.first()) {
        out_demand.insert(start.node, vec![(e, d)]);
        total = d;
    }
    for n in order {
        let v = n.node;
        if n.hop == 0 && seed.is_none() {
            for (src, e) in g.in_edges(v).filter(|&(_, e)| g.time(e) <= r.time(g, n)) {
                let a = g.amount(e) as f64;
                total += a;
                if r.get(src).is_some() {
                    edge_demand.insert(e, (src, a));
                    out_demand.entry(src).or_default().push((e, a));
                }
            }
            continue;
        }
        let demands = out_demand.remove(&v).unwrap_or_default();
        let sent: f64 = demands.iter().map(|d| d.1).sum();
        *node_amount.entry(v).or_default() += sent;
        if n.stopped || demands.is_empty() {
            continue;
        }
        let wanted: HashMap<u32, f64> = demands.iter().fold(HashMap::new(), |mut m, &(e, d)| {
            *m.entry(e).or_default() += d;
            m
        });
        for (out_e, parts) in funding(g, v, model, &wanted) {
            let d = wanted[&out_e];
            for (src, in_e, fraction) in parts {
                let share = d * fraction;
                if share <= 0.0 || r.get(src).is_none_or(|s| s.hop <= n.hop) {
                    continue;
                }
                edge_demand.entry(in_e).or_insert((src, 0.0)).1 += share;
                out_demand.entry(src).or_default().push((in_e, share));
            }
        }
    }
    (node_amount, edge_demand, total)
}

/// For each wanted out-edge of `v`: the inflows that funded it, as (sender, in-edge, fraction
/// of the out-edge's amount), by replaying `v`'s transfers in time order.
/// (sender, in-edge, fraction of the out-edge's amount) per funded out-edge.
type Funding = Vec<(u32, Vec<(u32, u32, f64)>)>;

fn funding(g: &Graph, v: u32, model: Model, wanted: &HashMap<u32, f64>) -> Funding {
    let last = wanted.keys().map(|&e| (g.time(e), e)).max().expect("some wanted edge");
    // Events up to the last wanted transfer: inflows (kind 0) before outflows (kind 1) at the
    // same height.
    let mut events: Vec<(u32, u8, u32, u32)> = g
        .in_edges(v)
        .filter(|&(_, e)| g.time(e) <= last.0)
        .map(|(src, e)| (g.time(e), 0u8, e, src))
        .chain(
            g.out_edges(v)
                .iter()
                .copied()
                .filter(|&e| (g.time(e), e) <= last)
                .map(|e| (g.time(e), 1u8, e, v)),
        )
        .collect();
    events.sort_unstable();
    let mut out = Vec::new();
    match model {
        Model::Poison => {
            let mut seen: Vec<(u32, u32)> = Vec::new();
            for (_, kind, e, src) in events {
                if kind == 0 {
                    seen.push((src, e));
                } else if wanted.contains_key(&e) {
                    // Every earlier inflow is a possible source of the whole transfer.
                    out.push((e, seen.iter().map(|&(s, i)| (s, i, g.amount(i) as f64 / g.amount(e).max(1) as f64)).collect()));
                }
            }
        }
        Model::Haircut => {
            // Each inflow's remaining amount is its amount times the product of (1 - sent /
            // balance) over later sends: weight = amount / F(arrival), remaining = weight * F.
            let (mut balance, mut f) = (0.0f64, 1.0f64);
            let mut held: Vec<(u32, u32, f64)> = Vec::new(); // (src, edge, weight)
            for (_, kind, e, src) in events {
                let a = g.amount(e) as f64;
                if kind == 0 {
                    balance += a;
                    held.push((src, e, a / f));
                    continue;
                }
                if balance < a {
                    balance = a; // older, clean funds cover the rest
                }
                if wanted.contains_key(&e) {
                    out.push((e, held.iter().map(|&(s, i, w)| (s, i, w * f / balance)).collect()));
                }
                let factor = 1.0 - a / balance;
                balance -= a;
                if factor <= 1e-12 {
                    held.clear();
                    f = 1.0;
                } else {
                    f *= factor;
                    if f < 1e-150 {
                        // Rescale before underflow.
                        for h in held.iter_mut() {
                            h.2 *= f;
                        }
                        f = 1.0;
                    }
                }
            }
        }
        Model::Fifo => {
            let mut lots: std::collections::VecDeque<(u32, u32, u128)> = Default::default();
            for (_, kind, e, src) in events {
                let a = g.amount(e);
                if kind == 0 {
                    lots.push_back((src, e, a));
                    continue;
                }
                let mut need = a;
                let mut used = Vec::new();
                while need > 0 {
                    let Some(front) = lots.front_mut() else { break };
                    let take = front.2.min(need);
                    used.push((front.0, front.1, take as f64 / a.max(1) as f64));
                    front.2 -= take;
                    need -= take;
                    if front.2 == 0 {
                        lots.pop_front();
                    }
                }
                if wanted.contains_key(&e) {
                    out.push((e, used));
                }
            }
        }
    }
    out
}

/// Exposure of an address to one category.
#[derive(Clone, Debug, Serialize)]
pub struct CategoryExposure {
    /// Category.
    pub category: TagCategory,
    /// Received directly from addresses of this category.
    pub direct: String,
    /// Received through intermediaries (haircut).
    pub indirect: String,
    /// Share of all the address received (haircut).
    pub share: f64,
    /// Poison (upper bound): received by transfers whose sender had any such funds.
    pub poison: String,
    /// FIFO.
    pub fifo: String,
    /// Fewest hops to a tagged address of this category.
    pub hops: u32,
    /// Tagged sources found (labels).
    pub sources: Vec<String>,
    /// One path from the nearest source to the address.
    pub path: Vec<String>,
}

/// Exposure report.
#[derive(Clone, Debug, Serialize)]
pub struct ExposureReport {
    /// The address.
    pub address: String,
    /// Asset.
    pub asset: String,
    /// `severe`, `high`, `medium`, `low`, `none`.
    pub risk: &'static str,
    /// Tags of the address itself.
    pub tags: Vec<String>,
    /// Everything the address received.
    pub received: String,
    /// Per category, most severe first.
    pub exposure: Vec<CategoryExposure>,
    /// Why the risk level, in words.
    pub explanation: Vec<String>,
    /// Hop limit.
    pub max_hops: u32,
}

/// Direct and indirect exposure of an address to tagged categories: the tagged addresses
/// among its sources of funds (backward, within `max_hops`, not through services) send
/// labelled funds; a forward replay carries them to the address by all three models.
pub fn exposure(store: &ChainStore, tags: &TagIndex, address: &str, asset: Option<&str>, max_hops: u32) -> Result<ExposureReport, ChainError> {
    let id = store
        .id(address)
        .ok_or_else(|| ChainError::Invalid(format!("address {address} is not in the imported chain data")))?;
    let (asset, g) = pick_asset(store, id, asset)?;
    // Backward cone; tagged addresses are sources and are not looked behind.
    let stop = |v: u32| v != id && !tags.of(v).is_empty();
    let mut r = reach(&g, &[id], 0, Direction::Backward, max_hops, &stop);
    let cats: Vec<TagCategory> = TagCategory::ALL.to_vec();
    let mut sources: Vec<(u32, u8)> = Vec::new();
    for n in &r.nodes {
        if n.node == id {
            continue;
        }
        // A source counts under its most severe category.
        if let Some(c) = tags.of(n.node).iter().map(|t| t.category).min() {
            let label = cats.iter().position(|&x| x == c).expect("all categories listed") as u8;
            sources.push((n.node, label));
        }
    }
    // Replay forward over the cone; tagged nodes are followed as sources, so none stays
    // stopped (hops and paths do not depend on it).
    for n in r.nodes.iter_mut() {
        n.stopped = false;
    }
    let sim = simulate(&g, &r, &sources, cats.len(), 0, Models { edges: false, ..Models::ALL });
    let me = sim.node(r.local(id).expect("start is in the cone") as usize);
    let received = me.received;
    let mut direct = vec![0u128; cats.len()];
    for (src, e) in g.in_edges(id) {
        if let Some(&(_, label)) = sources.iter().find(|(s, _)| *s == src) {
            direct[label as usize] += g.amount(e);
        }
    }
    let mut report = ExposureReport {
        address: store.address(id).to_string(),
        asset,
        risk: "none",
        tags: tag_names(tags.of(id)),
        received: received.to_string(),
        exposure: Vec::new(),
        explanation: Vec::new(),
        max_hops,
    };
    for (l, &cat) in cats.iter().enumerate() {
        let haircut = me.haircut[l];
        if me.poison[l] == 0 && haircut < 0.5 && direct[l] == 0 {
            continue;
        }
        let mut srcs: Vec<(u32, u32)> = sources
            .iter()
            .filter(|&&(_, lab)| lab as usize == l)
            .map(|&(s, _)| (r.get(s).map_or(u32::MAX, |x| u32::from(x.hop)), s))
            .collect();
        srcs.sort();
        let hops = srcs.first().map_or(0, |x| x.0);
        let mut labels: Vec<String> = srcs.iter().flat_map(|&(_, s)| tag_names(tags.of(s))).collect();
        labels.sort();
        labels.dedup();
        let path = srcs
            .first()
            .map(|&(_, s)| {
                let mut p = vec![store.address(s).to_string()];
                for e in r.path(&g, s, Direction::Backward) {
                    p.push(store.address(g.target(e)).to_string());
                }
                p
            })
            .unwrap_or_default();
        let indirect = (haircut - direct[l] as f64).max(0.0);
        report.exposure.push(CategoryExposure {
            category: cat,
            direct: direct[l].to_string(),
            indirect: format!("{indirect:.0}"),
            share: if received > 0 { (haircut / received as f64).min(1.0) } else { 0.0 },
            poison: me.poison[l].to_string(),
            fifo: me.fifo[l].to_string(),
            hops,
            sources: labels,
            path,
        });
    }
    exposure_through_swaps(store, tags, &g, &r, &sources, &cats, me.haircut.as_slice(), received, &mut report)?;
    let (risk, why) = risk_level(&report);
    report.risk = risk;
    report.explanation = why;
    Ok(report)
}

/// Funds that reached the address from a DEX were swapped from another asset: the sender of
/// the other asset's leg of each swap transaction is looked behind in that asset (with the
/// hops left), and its exposure, weighted by what each swap paid into the address's sources
/// and scaled by the DEX's haircut share of the address's receipts, is added per category.
#[allow(clippy::too_many_arguments)]
fn exposure_through_swaps(
    store: &ChainStore,
    tags: &TagIndex,
    g: &Graph,
    r: &Reach,
    sources: &[(u32, u8)],
    cats: &[TagCategory],
    haircut: &[f64],
    received: u128,
    report: &mut ExposureReport,
) -> Result<(), ChainError> {
    let dex = cats.iter().position(|&c| c == TagCategory::Dex).expect("all categories listed");
    if received == 0 || haircut[dex] < 0.5 {
        return Ok(());
    }
    let dex_share = (haircut[dex] / received as f64).min(1.0);
    // The swaps' payouts into the cone: transaction -> (DEX, its hop, amount paid).
    let mut payouts: HashMap<u32, (u32, u32, f64)> = HashMap::new();
    for &(d, label) in sources {
        if label as usize != dex {
            continue;
        }
        let hop = r.get(d).map_or(0, |x| u32::from(x.hop));
        for &e in g.out_edges(d) {
            if r.get(g.target(e)).is_some() {
                payouts.entry(g.tx(e)).or_insert((d, hop, 0.0)).2 += g.amount(e) as f64;
            }
        }
    }
    // The other assets' legs into a DEX in those transactions: (asset, sender, hops left,
    // weight, DEX, transaction).
    let mut legs: Vec<(String, u32, u32, f64, u32, u32)> = Vec::new();
    let own = report.asset.clone();
    transfers_in(store, &|tx| payouts.contains_key(&tx), &|asset| asset == own, &mut |asset, other, v, e| {
        let (d, hop, paid) = payouts[&other.tx(e)];
        if !is_dex(tags, v) && is_dex(tags, other.target(e)) && report.max_hops > hop + 1 {
            legs.push((asset.to_string(), v, report.max_hops - hop - 1, paid, d, other.tx(e)));
        }
        Ok(())
    })?;
    let total: f64 = legs.iter().map(|l| l.3).sum();
    if total <= 0.0 {
        return Ok(());
    }
    for (asset, sender, hops_left, weight, d, tx) in legs {
        let behind = exposure(store, tags, store.address(sender), Some(&asset), hops_left)?;
        for c in behind.exposure {
            if c.category == TagCategory::Dex {
                continue;
            }
            let share = dex_share * weight / total * c.share;
            if share <= 0.0 {
                continue;
            }
            let amount = share * received as f64;
            let via = format!("via a swap at {} (tx {}, {} in)", store.address(d), store.tx_hash(tx), asset);
            let hops = c.hops + r.get(d).map_or(0, |x| u32::from(x.hop)) + 1;
            match report.exposure.iter_mut().find(|e| e.category == c.category) {
                Some(e) => {
                    let indirect: f64 = e.indirect.parse().unwrap_or(0.0);
                    e.indirect = format!("{:.0}", indirect + amount);
                    e.share = (e.share + share).min(1.0);
                    e.hops = e.hops.min(hops);
                    e.sources.extend(c.sources.iter().map(|s| format!("{s} {via}")));
                }
                None => {
                    // Behind the swap to the sender, then the DEX on to the address.
                    let mut path = c.path.clone();
                    path.push(store.address(d).to_string());
                    path.extend(r.path(g, d, Direction::Backward).into_iter().map(|e| store.address(g.target(e)).to_string()));
                    report.exposure.push(CategoryExposure {
                        category: c.category,
                        direct: "0".into(),
                        indirect: format!("{amount:.0}"),
                        share,
                        poison: "0".into(),
                        fifo: "0".into(),
                        hops,
                        sources: c.sources.iter().map(|s| format!("{s} {via}")).collect(),
                        path,
                    });
                }
            }
        }
    }
    report.exposure.sort_by_key(|e| cats.iter().position(|&c| c == e.category));
    Ok(())
}

fn risk_level(r: &ExposureReport) -> (&'static str, Vec<String>) {
    let mut why = Vec::new();
    let grave = |c: TagCategory| matches!(c, TagCategory::Sanctioned | TagCategory::Dprk);
    if !r.tags.is_empty() && r.tags.iter().any(|t| t.contains("(sanctioned)") || t.contains("(dprk)")) {
        why.push(format!("the address itself is tagged: {}", r.tags.join(", ")));
        return ("severe", why);
    }
    let mut level = 0;
    for e in &r.exposure {
        let direct = e.direct != "0";
        let pct = e.share * 100.0;
        let what = format!(
            "{} funds: {:.2} % of receipts by haircut ({} direct, {} indirect), nearest source {} hop(s) away: {}",
            e.category.as_str(),
            pct,
            e.direct,
            e.indirect,
            e.hops,
            e.sources.join(", ")
        );
        let l = if grave(e.category) && (direct || pct >= 1.0) {
            4
        } else if grave(e.category) || (e.category == TagCategory::Mixer && (direct || pct >= 10.0)) {
            3
        } else if matches!(e.category, TagCategory::Mixer | TagCategory::Bridge) {
            2
        } else {
            1
        };
        level = level.max(l);
        why.push(what);
    }
    let risk = match level {
        4 => "severe",
        3 => "high",
        2 => "medium",
        1 => "low",
        _ => "none",
    };
    if why.is_empty() {
        why.push(format!("no tagged source of funds within {} hops", r.max_hops));
    }
    (risk, why)
}
