//! Allocation of the programme's pieces to workshops: a linear programme of least cost under
//! capacity, with shadow prices.
//!
//! ```text
//! minimise   Σ c[w,p,d]·x[w,p,d] + penalty · Σ unmet[p,d]
//! subject to Σ_{p,d} minutes[p]·x[w,p,d] ≤ minutes_available[w]    (capacity, every w)
//!            Σ_w x[w,p,d] + unmet[p,d] = demand[p,d]                 (demand, every p, d)
//!            Σ_{p,d} x[w,p,d] ≤ max_share · Σ demand                 (optional, every w)
//!            x ≥ 0, unmet ≥ 0
//! ```
//!
//! (ARCHITECTURE.md, "Allocation".) A (w, p, d) without a cost entry cannot be made: it has
//! no variable. Unmet pieces cost `unmet_penalty` each, so the programme is always feasible
//! and the penalty is the price above which the Région would rather leave demand unserved
//! (the study's programme uses an internal penalty and reports what it would price as NaN).
//!
//! Without `max_share` and `min_lot` the problem is a transportation problem in minutes
//! (minutes per piece depend only on the product) and is solved exactly by the network
//! simplex of [`crate::model::network`] (`solve_network`): integer flows of 2^−k minute, so
//! that a zero is exactly zero and, when capacity suffices, nothing is unmet; the duals are
//! the final tree's node potentials: the shadow price of a workshop's capacity (EUR saved by
//! one more minute) and of a demand row (EUR the objective rises by for one more piece). At
//! a degenerate optimum these are the prices of the basis found, optimal but possibly not
//! the only optimal ones. Checked against HiGHS on random instances to 1e-9
//! (tests/test_allocate.py).
//!
//! With `max_share` (a limit in pieces across products: not a network constraint) or
//! `min_lot`, the LP is solved by Clarabel (interior point) through `good_lp`, by column
//! generation above 40,000 arcs (see `solve_full`), then again by the simplex method
//! (microlp) over the columns that can be basic (`vertex`): the flows are a vertex, with no
//! interior-point residue; the duals are the interior point's.
//!
//! Minutes. `minutes_per_piece[p]` and `minutes_available[w]` must be in the same unit. With
//! workshops of different line efficiency, use *standard* (earned) minutes: minutes per piece
//! = SAM × (1 + allowance), and minutes available = operator minutes × efficiency[w]. This is
//! exact (SAM(1+a)/e_w · x ≤ M_w ⟺ SAM(1+a) · x ≤ M_w · e_w); the capacity shadow price is
//! then per standard minute, and one more *operator* minute at w is worth shadow × e_w.
//! [`problem_for_year`] builds the problem that way from the survey.
//!
//! Minimum lot. With `min_lot = Some(L)`, a workshop either makes nothing or at least `L`
//! pieces in total. This needs one binary variable per workshop: the mixed-integer problem is
//! solved by microlp (branch and bound), the open/closed pattern is then fixed and the LP
//! solved again (Clarabel, then the simplex) for the flows and the duals, which are therefore *conditional on
//! which workshops are open*. Branch and bound is exponential in the worst case: use it for
//! tens of workshops, not thousands.

use std::collections::{BTreeMap, HashMap, HashSet};

use good_lp::{
    clarabel, microlp, variable, DualValues, Expression, ProblemVariables, ResolutionError,
    Solution, SolutionWithDual, SolverModel, Variable,
};

use crate::data::tables::{Product, Workshop};
use crate::error::{Error, Result};
use crate::model::capacity::capacity;
use crate::model::cost::{piece_cost, WorkshopTerms};
use crate::model::demand::DemandRow;
use crate::params::ModelParams;

/// Name under which allocation problems are reported in errors.
const FILE: &str = "allocation";

/// Relative tolerance under which solver values are treated as zero.
const ZERO_TOL: f64 = 1e-7;

/// The allocation linear programme.
///
/// Indices in `demand` and `costs` refer to `workshops`, `products` and `departements`.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationProblem {
    /// Workshop identifiers.
    pub workshops: Vec<String>,
    /// Minutes each workshop offers the programme (same unit as `minutes_per_piece`,
    /// see the module docs), ≥ 0.
    pub minutes_available: Vec<f64>,
    /// Product identifiers.
    pub products: Vec<String>,
    /// Minutes of work per piece of each product, > 0.
    pub minutes_per_piece: Vec<f64>,
    /// Département codes (of the schools).
    pub departements: Vec<String>,
    /// Demand: (product, département, pieces ≥ 0). Repeated (product, département) pairs add up.
    pub demand: Vec<(usize, usize, f64)>,
    /// Cost of making a piece at a workshop and delivering it to a département:
    /// (workshop, product, département, EUR per piece ≥ 0). One entry per triple at most;
    /// a missing triple cannot be made.
    pub costs: Vec<(usize, usize, usize, f64)>,
    /// Largest share of total demand (all products) one workshop may take, in (0, 1].
    pub max_share: Option<f64>,
    /// Smallest number of pieces (all products) a workshop makes if it makes any, > 0.
    pub min_lot: Option<f64>,
    /// Cost of one unmet piece (EUR per piece), > 0.
    pub unmet_penalty: f64,
}

/// Pieces of one product one workshop sends to one département.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flow {
    /// Workshop index.
    pub workshop: usize,
    /// Product index.
    pub product: usize,
    /// Département index.
    pub departement: usize,
    /// Pieces.
    pub pieces: f64,
    /// Its cost entry (EUR per piece).
    pub eur_per_piece: f64,
}

/// A quantity attached to one demand row (product, département).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemandValue {
    /// Product index.
    pub product: usize,
    /// Département index.
    pub departement: usize,
    /// The value (pieces, or EUR per piece for shadow prices).
    pub value: f64,
}

/// The optimal allocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Non-zero flows.
    pub flows: Vec<Flow>,
    /// Unmet pieces, one entry per demand row (zero when fully served).
    pub unmet: Vec<DemandValue>,
    /// Objective: production and delivery cost plus the penalty on unmet pieces (EUR).
    pub objective_eur: f64,
    /// Σ c·x: cost of the pieces made (EUR).
    pub production_cost_eur: f64,
    /// penalty × Σ unmet (EUR).
    pub unmet_penalty_eur: f64,
    /// Minutes used at each workshop.
    pub minutes_used: Vec<f64>,
    /// Pieces made at each workshop.
    pub pieces_made: Vec<f64>,
    /// Shadow price of each workshop's capacity: EUR the objective falls by with one more
    /// minute (≥ 0; 0 where capacity is slack).
    pub capacity_shadow_eur_per_min: Vec<f64>,
    /// Shadow price of each demand row: EUR the objective rises by with one more piece
    /// (the marginal cost of a piece; at most the penalty).
    pub demand_shadow_eur_per_piece: Vec<DemandValue>,
    /// Shadow price of the max-share limit of each workshop: EUR saved if it could take one
    /// more piece (all zero without `max_share`).
    pub share_shadow_eur_per_piece: Vec<f64>,
}

impl Allocation {
    /// Total unmet pieces.
    pub fn unmet_pieces(&self) -> f64 {
        self.unmet.iter().map(|u| u.value).sum()
    }
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::Study {
        file: FILE.into(),
        reason: reason.into(),
    }
}

fn solver_error(stage: &str, err: &ResolutionError) -> Error {
    invalid(format!("the {stage} solver failed: {err}"))
}

/// A demand row after aggregation.
struct Row {
    product: usize,
    departement: usize,
    pieces: f64,
}

/// A (workshop, product, département) that can be made, with its demand row.
#[derive(Clone, Copy)]
struct Arc {
    workshop: usize,
    row: usize,
    cost: f64,
    minutes: f64,
}

/// The checked problem, indexed for building the LP.
struct Prepared {
    rows: Vec<Row>,
    arcs: Vec<Arc>,
    by_workshop: Vec<Vec<usize>>,
    total_demand: f64,
    /// Scale of pieces: the largest demand row (at least 1).
    scale_q: f64,
    /// Scale of costs: the largest of penalty and costs.
    scale_c: f64,
}

fn check_finite(value: f64, what: impl FnOnce() -> String, min: f64, strict: bool) -> Result<()> {
    let ok = value.is_finite() && if strict { value > min } else { value >= min };
    if ok {
        Ok(())
    } else {
        let bound = if strict { ">" } else { "≥" };
        Err(invalid(format!(
            "{} is {value}; it must be a finite number {bound} {min}",
            what()
        )))
    }
}

impl AllocationProblem {
    fn prepare(&self) -> Result<Prepared> {
        let (nw, np, nd) = (
            self.workshops.len(),
            self.products.len(),
            self.departements.len(),
        );
        for (n, what) in [
            (nw, "no workshop"),
            (np, "no product"),
            (nd, "no département"),
            (self.demand.len(), "no demand"),
            (
                self.costs.len(),
                "no cost entry: no workshop can make any product",
            ),
        ] {
            if n == 0 {
                return Err(invalid(format!("{what} to allocate")));
            }
        }
        if self.minutes_available.len() != nw {
            return Err(invalid(format!(
                "{} minutes_available values for {nw} workshops",
                self.minutes_available.len()
            )));
        }
        if self.minutes_per_piece.len() != np {
            return Err(invalid(format!(
                "{} minutes_per_piece values for {np} products",
                self.minutes_per_piece.len()
            )));
        }
        for (w, &m) in self.minutes_available.iter().enumerate() {
            check_finite(
                m,
                || format!("minutes available at workshop `{}`", self.workshops[w]),
                0.0,
                false,
            )?;
        }
        for (p, &m) in self.minutes_per_piece.iter().enumerate() {
            check_finite(
                m,
                || format!("minutes per piece of product `{}`", self.products[p]),
                0.0,
                true,
            )?;
        }
        check_finite(
            self.unmet_penalty,
            || "the unmet-demand penalty (EUR/piece)".into(),
            0.0,
            true,
        )?;
        if let Some(s) = self.max_share {
            if !(s.is_finite() && s > 0.0 && s <= 1.0) {
                return Err(Error::parameter(
                    "max_share",
                    format!("{s} is not a share in (0, 1]"),
                ));
            }
        }
        if let Some(l) = self.min_lot {
            if !(l.is_finite() && l > 0.0) {
                return Err(Error::parameter(
                    "min_lot",
                    format!("{l} pieces: a minimum lot must be a finite number > 0"),
                ));
            }
        }

        let mut demand: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for &(p, d, q) in &self.demand {
            if p >= np || d >= nd {
                return Err(invalid(format!(
                    "demand entry ({p}, {d}) refers to a product or département that does not \
                     exist ({np} products, {nd} départements)"
                )));
            }
            check_finite(
                q,
                || {
                    format!(
                        "demand for `{}` in département {}",
                        self.products[p], self.departements[d]
                    )
                },
                0.0,
                false,
            )?;
            *demand.entry((p, d)).or_insert(0.0) += q;
        }
        let rows: Vec<Row> = demand
            .iter()
            .map(|(&(product, departement), &pieces)| Row {
                product,
                departement,
                pieces,
            })
            .collect();
        // Demand row of each (product, département), densely indexed.
        let mut row_of = vec![usize::MAX; np * nd];
        for (i, &(p, d)) in demand.keys().enumerate() {
            row_of[p * nd + d] = i;
        }
        let mut keys: Vec<u64> = Vec::with_capacity(self.costs.len());
        let mut arcs = Vec::with_capacity(self.costs.len());
        let mut by_workshop = vec![Vec::new(); nw];
        let mut max_cost: f64 = 0.0;
        for &(w, p, d, c) in &self.costs {
            if w >= nw || p >= np || d >= nd {
                return Err(invalid(format!(
                    "cost entry ({w}, {p}, {d}) refers to a workshop, product or département \
                     that does not exist"
                )));
            }
            check_finite(
                c,
                || {
                    format!(
                        "the cost of `{}` from workshop `{}` to département {}",
                        self.products[p], self.workshops[w], self.departements[d]
                    )
                },
                0.0,
                false,
            )?;
            keys.push(((w * np + p) * nd + d) as u64);
            // A triple without demand needs no variable.
            let row = row_of[p * nd + d];
            if row != usize::MAX {
                by_workshop[w].push(arcs.len());
                arcs.push(Arc {
                    workshop: w,
                    row,
                    cost: c,
                    minutes: self.minutes_per_piece[p],
                });
                max_cost = max_cost.max(c);
            }
        }
        keys.sort_unstable();
        if let Some(k) = keys
            .windows(2)
            .find(|k| k[0] == k[1])
            .map(|k| k[0] as usize)
        {
            let (w, p, d) = (k / (np * nd), (k / nd) % np, k % nd);
            return Err(invalid(format!(
                "two cost entries for `{}` from workshop `{}` to département {}; keep one",
                self.products[p], self.workshops[w], self.departements[d]
            )));
        }
        let total_demand = rows.iter().map(|r| r.pieces).sum();
        let scale_q = rows.iter().map(|r| r.pieces).fold(1.0, f64::max);
        Ok(Prepared {
            rows,
            arcs,
            by_workshop,
            total_demand,
            scale_q,
            scale_c: max_cost.max(self.unmet_penalty),
        })
    }

    /// Upper bound on the pieces workshop `w` can make (scaled), for the min-lot big-M.
    fn max_pieces_scaled(&self, prep: &Prepared, w: usize) -> f64 {
        let arcs = &prep.by_workshop[w];
        let min_minutes = arcs
            .iter()
            .map(|&a| prep.arcs[a].minutes)
            .fold(f64::INFINITY, f64::min);
        let mut rows: Vec<usize> = arcs.iter().map(|&a| prep.arcs[a].row).collect();
        rows.sort_unstable();
        rows.dedup();
        let by_demand: f64 = rows.iter().map(|&r| prep.rows[r].pieces).sum();
        let by_capacity = self.minutes_available[w] / min_minutes;
        let by_share = self
            .max_share
            .map_or(f64::INFINITY, |s| s * prep.total_demand);
        by_demand.min(by_capacity).min(by_share) / prep.scale_q
    }
}

/// Variables of one LP build: one per active arc (`None` for arcs left out) and one unmet
/// variable per demand row.
struct Built {
    vars: ProblemVariables,
    objective: Expression,
    x: Vec<Option<Variable>>,
    unmet: Vec<Variable>,
}

fn build_variables(prep: &Prepared, penalty: f64, active: &[bool]) -> Built {
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::with_capacity(prep.arcs.len() + prep.rows.len());
    let x: Vec<Option<Variable>> = prep
        .arcs
        .iter()
        .zip(active)
        .map(|(arc, &on)| {
            on.then(|| {
                let v = vars.add(variable().min(0.0));
                objective.add_mul(arc.cost / prep.scale_c, v);
                v
            })
        })
        .collect();
    let unmet: Vec<Variable> = prep
        .rows
        .iter()
        .map(|_| {
            let v = vars.add(variable().min(0.0));
            objective.add_mul(penalty / prep.scale_c, v);
            v
        })
        .collect();
    Built {
        vars,
        objective,
        x,
        unmet,
    }
}

/// Sum of the pieces variables of workshop `w`, and of minutes, or `None` if it has none.
fn workshop_sums(
    prep: &Prepared,
    x: &[Option<Variable>],
    w: usize,
) -> Option<(Expression, Expression)> {
    let arcs = &prep.by_workshop[w];
    let mut pieces = Expression::with_capacity(arcs.len());
    let mut minutes = Expression::with_capacity(arcs.len());
    let mut any = false;
    for &a in arcs {
        if let Some(v) = x[a] {
            pieces.add_mul(1.0, v);
            minutes.add_mul(prep.arcs[a].minutes, v);
            any = true;
        }
    }
    any.then_some((pieces, minutes))
}

fn demand_sums(prep: &Prepared, b: &Built) -> Vec<Expression> {
    let mut sums: Vec<Expression> = b.unmet.iter().map(|&u| Expression::from(u)).collect();
    for (arc, v) in prep.arcs.iter().zip(&b.x) {
        if let Some(v) = v {
            sums[arc.row].add_mul(1.0, *v);
        }
    }
    sums
}

/// Solve the mixed-integer problem with minimum lots; returns which workshops are closed.
fn open_pattern(problem: &AllocationProblem, prep: &Prepared, lot: f64) -> Result<Vec<bool>> {
    let nw = problem.workshops.len();
    let lot_scaled = lot / prep.scale_q;
    // A workshop that cannot make a full lot is closed from the start.
    let upper: Vec<f64> = (0..nw)
        .map(|w| problem.max_pieces_scaled(prep, w))
        .collect();
    let closed: Vec<bool> = (0..nw)
        .map(|w| prep.by_workshop[w].is_empty() || upper[w] < lot_scaled)
        .collect();
    let active: Vec<bool> = prep.arcs.iter().map(|a| !closed[a.workshop]).collect();
    let mut b = build_variables(prep, problem.unmet_penalty, &active);
    let open: Vec<(usize, Variable)> = (0..nw)
        .filter(|&w| !closed[w])
        .map(|w| (w, b.vars.add(variable().binary())))
        .collect();
    let sums = demand_sums(prep, &b);
    let mut model = b.vars.minimise(b.objective).using(microlp);
    for (row, sum) in prep.rows.iter().zip(sums) {
        model.add_constraint(sum.eq(row.pieces / prep.scale_q));
    }
    for &(w, y) in &open {
        if let Some((pieces, minutes)) = workshop_sums(prep, &b.x, w) {
            model.add_constraint(minutes.leq(problem.minutes_available[w] / prep.scale_q));
            let mut at_most = pieces.clone();
            at_most.add_mul(-upper[w], y);
            model.add_constraint(at_most.leq(0.0));
            let mut at_least = pieces;
            at_least.add_mul(-lot_scaled, y);
            model.add_constraint(at_least.geq(0.0));
        }
    }
    let solution = model
        .solve()
        .map_err(|e| solver_error("mixed-integer (microlp)", &e))?;
    let mut closed = closed;
    for &(w, y) in &open {
        closed[w] = solution.value(y) < 0.5;
    }
    Ok(closed)
}

/// Primal and dual solution of one LP (restricted to the active arcs), in real units.
struct LpSolution {
    /// Pieces per arc (0 for inactive arcs), solver noise removed.
    x: Vec<f64>,
    /// Unmet pieces per demand row, solver noise removed.
    unmet: Vec<f64>,
    /// EUR per piece, per demand row.
    row_dual: Vec<f64>,
    /// EUR per minute, ≥ 0, per workshop.
    capacity_dual: Vec<f64>,
    /// EUR per piece, ≥ 0, per workshop.
    share_dual: Vec<f64>,
}

/// Solve the LP over the `active` arcs with Clarabel.
fn solve_lp(problem: &AllocationProblem, prep: &Prepared, active: &[bool]) -> Result<LpSolution> {
    let nw = problem.workshops.len();
    let b = build_variables(prep, problem.unmet_penalty, active);
    let sums = demand_sums(prep, &b);
    let (x_vars, unmet_vars) = (b.x, b.unmet);
    let mut model = b.vars.minimise(b.objective).using(clarabel);
    // Tighter than Clarabel's defaults (1e-8): the objective must match a simplex solver's
    // to 1e-6 relative after the polish, on problems whose penalty dwarfs the costs.
    model
        .settings()
        .tol_gap_abs(1e-10)
        .tol_gap_rel(1e-10)
        .tol_feas(1e-10)
        .tol_ktratio(1e-8)
        .max_iter(400);
    let demand_refs: Vec<_> = prep
        .rows
        .iter()
        .zip(sums)
        .map(|(row, sum)| model.add_constraint(sum.eq(row.pieces / prep.scale_q)))
        .collect();
    let mut capacity_refs = vec![None; nw];
    let mut share_refs = vec![None; nw];
    for w in 0..nw {
        let Some((pieces, minutes)) = workshop_sums(prep, &x_vars, w) else {
            continue;
        };
        capacity_refs[w] =
            Some(model.add_constraint(minutes.leq(problem.minutes_available[w] / prep.scale_q)));
        if let Some(share) = problem.max_share {
            share_refs[w] = Some(
                model.add_constraint(pieces.clone().leq(share * prep.total_demand / prep.scale_q)),
            );
        }
        if let Some(lot) = problem.min_lot {
            model.add_constraint(pieces.geq(lot / prep.scale_q));
        }
    }
    let mut solution = model
        .solve()
        .map_err(|e| solver_error("linear (Clarabel)", &e))?;
    let status = format!("{:?}", solution.inner().status);
    if status != "Solved" && status != "AlmostSolved" {
        return Err(invalid(format!(
            "the linear solver (Clarabel) stopped with status {status}"
        )));
    }
    let tol_q = ZERO_TOL * prep.scale_q;
    let clean = |q: f64| if q < tol_q { 0.0 } else { q };
    let x = x_vars
        .iter()
        .map(|v| v.map_or(0.0, |v| clean(solution.value(v) * prep.scale_q)))
        .collect();
    let unmet = unmet_vars
        .iter()
        .map(|&v| clean(solution.value(v) * prep.scale_q))
        .collect();
    // good_lp's dual is d(objective)/d(right-hand side): ≤ 0 for the ≤ rows of a
    // minimisation, so the value of one more unit is its opposite.
    let duals = solution.compute_dual();
    let max_minutes = problem
        .minutes_per_piece
        .iter()
        .copied()
        .fold(0.0, f64::max);
    let tol_min = ZERO_TOL * prep.scale_c / max_minutes;
    let tol_piece = ZERO_TOL * prep.scale_c;
    let value = |v: f64, tol: f64| if v < tol { 0.0 } else { v };
    Ok(LpSolution {
        x,
        unmet,
        row_dual: demand_refs
            .into_iter()
            .map(|r| {
                let v = duals.dual(r) * prep.scale_c;
                if v.abs() < tol_piece {
                    0.0
                } else {
                    v
                }
            })
            .collect(),
        capacity_dual: capacity_refs
            .into_iter()
            .map(|r| r.map_or(0.0, |r| value(-duals.dual(r) * prep.scale_c, tol_min)))
            .collect(),
        share_dual: share_refs
            .into_iter()
            .map(|r| r.map_or(0.0, |r| value(-duals.dual(r) * prep.scale_c, tol_piece)))
            .collect(),
    })
}

/// Problems with at most this many arcs are solved in one LP; larger ones by column
/// generation.
const DIRECT_MAX_ARCS: usize = 40_000;
/// Cheapest arcs of each demand row in the first restricted LP.
const INITIAL_ARCS_PER_ROW: usize = 16;
/// Columns of each workshop in the first restricted LP.
const INITIAL_ARCS_PER_WORKSHOP: usize = 4;
/// Most arcs added per demand row and round of column generation.
const ADDED_ARCS_PER_ROW: usize = 24;
/// Rounds of column generation before falling back to the full LP.
const MAX_ROUNDS: usize = 60;
/// A column enters when its reduced cost is below −PRICING_TOL × the cost scale.
const PRICING_TOL: f64 = 1e-7;
/// An unused column leaves when its reduced cost is above DROP_REDUCED_COST × the cost scale.
const DROP_REDUCED_COST: f64 = 0.01;

/// Indices of the `k` smallest values of `key` among `items` (all of them if fewer).
fn cheapest(mut items: Vec<usize>, k: usize, key: impl Fn(usize) -> f64) -> Vec<usize> {
    if items.len() > k {
        items.select_nth_unstable_by(k, |&a, &b| key(a).total_cmp(&key(b)));
        items.truncate(k);
    }
    items
}

/// Solve the LP over every arc that is not `closed`.
///
/// Large problems use column generation (sifting; e.g. Bixby et al., "Very large-scale
/// linear programming", Operations Research 40(5), 1992): solve over a subset of arcs (the
/// cheapest of each demand row), price every arc with the duals (reduced cost
/// c − π_row + minutes × μ_workshop + σ_workshop), add those with a negative reduced cost,
/// and repeat. When no arc prices out the restricted optimum is optimal for the full LP
/// (its duals are feasible for it), so flows, objective and shadow prices are those of the
/// full problem.
fn solve_full(
    problem: &AllocationProblem,
    prep: &Prepared,
    closed: &[bool],
    direct_max_arcs: usize,
) -> Result<LpSolution> {
    let open: Vec<bool> = prep.arcs.iter().map(|a| !closed[a.workshop]).collect();
    let n_open = open.iter().filter(|&&o| o).count();
    // Minimum lots add ≥ rows whose duals the pricing below ignores: solve them whole.
    if n_open <= direct_max_arcs || problem.min_lot.is_some() {
        return solve_lp(problem, prep, &open);
    }
    let mut by_row = vec![Vec::new(); prep.rows.len()];
    for (a, arc) in prep.arcs.iter().enumerate() {
        if open[a] {
            by_row[arc.row].push(a);
        }
    }
    // First columns: the cheapest workshops of each demand row, and the rows each workshop
    // is best placed for (smallest regret: its cost minus the row's cheapest cost).
    let mut active = vec![false; prep.arcs.len()];
    let mut row_min = vec![f64::INFINITY; prep.rows.len()];
    for arcs in &by_row {
        for a in cheapest(arcs.clone(), INITIAL_ARCS_PER_ROW, |a| prep.arcs[a].cost) {
            active[a] = true;
            let arc = &prep.arcs[a];
            row_min[arc.row] = row_min[arc.row].min(arc.cost);
        }
    }
    for arcs in &prep.by_workshop {
        let open_arcs: Vec<usize> = arcs.iter().copied().filter(|&a| open[a]).collect();
        let regret = |a: usize| prep.arcs[a].cost - row_min[prep.arcs[a].row];
        for a in cheapest(open_arcs, INITIAL_ARCS_PER_WORKSHOP, regret) {
            active[a] = true;
        }
    }
    let tol = PRICING_TOL * prep.scale_c;
    let drop_above = DROP_REDUCED_COST * prep.scale_c;
    for round in 0..MAX_ROUNDS {
        let lp = solve_lp(problem, prep, &active)?;
        let reduced = |a: usize| {
            let arc = &prep.arcs[a];
            arc.cost - lp.row_dual[arc.row]
                + arc.minutes * lp.capacity_dual[arc.workshop]
                + lp.share_dual[arc.workshop]
        };
        let mut entering = Vec::new();
        for arcs in &by_row {
            let candidates: Vec<usize> = arcs
                .iter()
                .copied()
                .filter(|&a| !active[a] && reduced(a) < -tol)
                .collect();
            entering.extend(cheapest(candidates, ADDED_ARCS_PER_ROW, reduced));
        }
        if entering.is_empty() {
            return Ok(lp);
        }
        // Keep the restricted LP small: in the first half of the rounds, drop unused columns
        // that are far from entering (they are priced again every round, so a dropped column
        // comes back if the prices move; the second half never drops, so the rounds end).
        if round < MAX_ROUNDS / 2 {
            for (a, on) in active.iter_mut().enumerate() {
                if *on && lp.x[a] == 0.0 && reduced(a) > drop_above {
                    *on = false;
                }
            }
        }
        for a in entering {
            active[a] = true;
        }
    }
    solve_lp(problem, prep, &open)
}

/// Most flow ticks the network holds (all supplies together): 2^52, so that every tick
/// count and its sums are exact integers in an `f64` as well as in an `i64`.
const MAX_TICKS: f64 = 4_503_599_627_370_496.0;
/// Reduced costs above −PRICE_TOL × the largest cost per minute count as zero.
const PRICE_TOL: f64 = 1e-12;

/// Solve the problem without side constraints as a transportation problem in minutes, by
/// the network simplex ([`crate::model::network`]).
///
/// Minutes per piece depend only on the product, so a demand row (product, département)
/// needs `pieces × minutes[p]` minutes whoever makes it, and an arc's cost per minute is
/// `c / minutes[p]`. Nodes: the workshops (supply: their minutes), the demand rows (demand:
/// their minutes), an *unmet* node that supplies every row at `penalty / minutes[p]` per
/// minute, and a *slack* node that takes the minutes nobody uses (from the workshops and the
/// unmet node, at no cost). Flows are integers of 2^−k minute (the largest k that keeps the
/// total within [`MAX_TICKS`]): unmet pieces are exactly zero when capacity suffices. The
/// first tree leaves every piece unmet (strongly feasible: every row hangs from the unmet
/// node with its whole demand).
///
/// Duals come from the final tree's potentials π (`cost + π[u] − π[v] = 0` on tree arcs): a
/// workshop's capacity is worth `π[w] − π[slack]` per minute, a demand row's marginal
/// cost is `(π[row] − π[unmet]) × minutes[p]` per piece. At a degenerate optimum these are
/// the prices of the basis found (a vertex of the dual), which is optimal but may not be
/// the only optimal price.
fn solve_network(problem: &AllocationProblem, prep: &Prepared) -> Result<LpSolution> {
    use crate::model::network::{Network, Tree};
    let nw = problem.workshops.len();
    let nr = prep.rows.len();
    let row_minutes = |r: usize| problem.minutes_per_piece[prep.rows[r].product];
    let need: Vec<f64> = (0..nr)
        .map(|r| prep.rows[r].pieces * row_minutes(r))
        .collect();
    let total_need: f64 = need.iter().sum();
    // A workshop never uses more than the whole demand: beyond twice that, the rest is
    // slack either way (and a workshop with more than the demand always sends some minutes
    // to the slack node, so its price stays 0 as it must).
    let cap: Vec<f64> = problem
        .minutes_available
        .iter()
        .map(|&c| c.min(2.0 * total_need + 1.0))
        .collect();
    let total = cap.iter().sum::<f64>() + total_need;
    let scale = if total > 0.0 {
        2f64.powi(((MAX_TICKS / total).log2().floor() as i32).min(60))
    } else {
        1.0
    };
    let ticks = |minutes: f64| (minutes * scale).round() as i64;
    // Capacity rounds down: a workshop never makes more than its minutes.
    let cap_ticks = |minutes: f64| (minutes * scale).floor() as i64;
    // Rows with demand are nodes; a row of zero pieces has no node (it is priced below).
    let node_of_row: Vec<Option<usize>> = {
        let mut next = nw;
        need.iter()
            .map(|&q| {
                (ticks(q) > 0).then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect()
    };
    let rows_in = node_of_row.iter().flatten().count();
    let (unmet, slack) = (nw + rows_in, nw + rows_in + 1);
    let nodes = slack + 1;
    let mut net = Network::new(nodes);
    net.reserve(prep.arcs.len() + nw + rows_in + 1);
    let mut arc_of = vec![usize::MAX; prep.arcs.len()];
    let mut max_cost: f64 = 0.0;
    for (a, arc) in prep.arcs.iter().enumerate() {
        if let Some(node) = node_of_row[arc.row] {
            let c = arc.cost / arc.minutes;
            arc_of[a] = net.add_arc(arc.workshop, node, c);
            max_cost = max_cost.max(c);
        }
    }
    let mut supply = vec![0i64; nodes];
    let mut parent = vec![usize::MAX; nodes];
    let mut pred = vec![0usize; nodes];
    let mut first_flow: Vec<(usize, i64)> = Vec::with_capacity(nodes);
    let mut to_slack = Vec::with_capacity(nw);
    for w in 0..nw {
        supply[w] = cap_ticks(cap[w]);
        supply[slack] -= supply[w];
        let a = net.add_arc(w, slack, 0.0);
        to_slack.push(a);
        parent[w] = slack;
        pred[w] = a;
        first_flow.push((a, supply[w]));
    }
    let mut from_unmet = vec![usize::MAX; nr];
    for (r, node) in node_of_row.iter().enumerate() {
        if let Some(node) = *node {
            let c = problem.unmet_penalty / row_minutes(r);
            max_cost = max_cost.max(c);
            supply[node] = -ticks(need[r]);
            supply[unmet] += ticks(need[r]);
            let a = net.add_arc(unmet, node, c);
            from_unmet[r] = a;
            parent[node] = unmet;
            pred[node] = a;
            first_flow.push((a, ticks(need[r])));
        }
    }
    let a = net.add_arc(unmet, slack, 0.0);
    parent[unmet] = slack;
    pred[unmet] = a;
    supply[slack] -= 0;
    let mut flow = vec![0i64; net.arcs()];
    for (a, f) in first_flow {
        flow[a] = f;
    }
    let sol = net.solve(
        &supply,
        Tree {
            root: slack,
            parent,
            pred,
            flow,
        },
        PRICE_TOL * max_cost.max(f64::MIN_POSITIVE),
    )?;
    let pi = &sol.potential;
    // Pieces from ticks, row by row, so that served + unmet = demand to the last bit the
    // division allows.
    let share = |r: usize, t: i64| prep.rows[r].pieces * t as f64 / ticks(need[r]) as f64;
    let mut x: Vec<f64> = prep
        .arcs
        .iter()
        .zip(&arc_of)
        .map(|(arc, &a)| {
            if a == usize::MAX || sol.flow[a] == 0 {
                0.0
            } else {
                share(arc.row, sol.flow[a])
            }
        })
        .collect();
    // A workshop that sends nothing to the slack node is full; its capacity was rounded
    // down to whole ticks, so give it back the fraction of a tick (at most one tick, 2^−k
    // minute, in relative terms far below 1e-6): its minutes used are then its minutes
    // available, as the prices say.
    for (w, arcs) in prep.by_workshop.iter().enumerate() {
        if sol.flow[to_slack[w]] != 0 {
            continue;
        }
        let used: f64 = arcs.iter().map(|&a| x[a] * prep.arcs[a].minutes).sum();
        let factor = problem.minutes_available[w] / used;
        if used > 0.0 && (1.0..1.0 + 1e-6).contains(&factor) {
            for &a in arcs {
                x[a] *= factor;
            }
        }
    }
    let unmet_pieces: Vec<f64> = (0..nr)
        .map(|r| match from_unmet[r] {
            usize::MAX => 0.0,
            a if sol.flow[a] == 0 => 0.0,
            a => share(r, sol.flow[a]),
        })
        .collect();
    let capacity_dual: Vec<f64> = (0..nw).map(|w| (pi[w] - pi[slack]).max(0.0)).collect();
    // A row without a node is priced as its cheapest source at the optimal prices.
    let mut row_price: Vec<f64> = (0..nr)
        .map(|r| match node_of_row[r] {
            Some(node) => pi[node],
            None => pi[unmet] + problem.unmet_penalty / row_minutes(r),
        })
        .collect();
    for arc in &prep.arcs {
        if node_of_row[arc.row].is_none() {
            let via = pi[arc.workshop] + arc.cost / arc.minutes;
            row_price[arc.row] = row_price[arc.row].min(via);
        }
    }
    let row_dual = (0..nr)
        .map(|r| (row_price[r] - pi[unmet]) * row_minutes(r))
        .collect();
    Ok(LpSolution {
        x,
        unmet: unmet_pieces,
        row_dual,
        capacity_dual,
        share_dual: vec![0.0; nw],
    })
}

/// Turn the interior-point optimum of a problem with side constraints into a vertex: solve
/// the LP again by the simplex method (microlp) over the arcs whose reduced cost at the
/// interior-point prices is within `VERTEX_RC` of zero (the columns that can be in an
/// optimal basis) and the unmet pieces. The flows are then those of a basic optimal
/// solution, with no interior-point residue; the duals stay the interior point's.
fn vertex(
    problem: &AllocationProblem,
    prep: &Prepared,
    closed: &[bool],
    lp: LpSolution,
) -> Result<LpSolution> {
    const VERTEX_RC: f64 = 1e-6;
    let nw = problem.workshops.len();
    let tol = VERTEX_RC * prep.scale_c;
    let active: Vec<bool> = prep
        .arcs
        .iter()
        .enumerate()
        .map(|(a, arc)| {
            let rc = arc.cost - lp.row_dual[arc.row]
                + arc.minutes * lp.capacity_dual[arc.workshop]
                + lp.share_dual[arc.workshop];
            !closed[arc.workshop] && (lp.x[a] > 0.0 || rc <= tol)
        })
        .collect();
    let b = build_variables(prep, problem.unmet_penalty, &active);
    let sums = demand_sums(prep, &b);
    let (x_vars, unmet_vars) = (b.x, b.unmet);
    let mut model = b.vars.minimise(b.objective).using(microlp);
    for (row, sum) in prep.rows.iter().zip(sums) {
        model.add_constraint(sum.eq(row.pieces / prep.scale_q));
    }
    for w in 0..nw {
        let Some((pieces, minutes)) = workshop_sums(prep, &x_vars, w) else {
            continue;
        };
        model.add_constraint(minutes.leq(problem.minutes_available[w] / prep.scale_q));
        if let Some(share) = problem.max_share {
            model.add_constraint(pieces.clone().leq(share * prep.total_demand / prep.scale_q));
        }
        if let Some(lot) = problem.min_lot {
            model.add_constraint(pieces.geq(lot / prep.scale_q));
        }
    }
    let solution = model
        .solve()
        .map_err(|e| solver_error("simplex (microlp)", &e))?;
    let tol_q = ZERO_TOL * prep.scale_q;
    let clean = |q: f64| if q < tol_q { 0.0 } else { q };
    Ok(LpSolution {
        x: x_vars
            .iter()
            .map(|v| v.map_or(0.0, |v| clean(solution.value(v) * prep.scale_q)))
            .collect(),
        unmet: unmet_vars
            .iter()
            .map(|&v| clean(solution.value(v) * prep.scale_q))
            .collect(),
        ..lp
    })
}

/// Solve the allocation problem.
///
/// # Errors
/// [`Error::Study`] (file `allocation`) for an empty or inconsistent problem (naming the
/// workshop, product or département at fault) or a solver failure;
/// [`Error::Parameter`] for a bad `max_share` or `min_lot`.
pub fn allocate(problem: &AllocationProblem) -> Result<Allocation> {
    allocate_with(problem, DIRECT_MAX_ARCS)
}

fn allocate_with(problem: &AllocationProblem, direct_max_arcs: usize) -> Result<Allocation> {
    let prep = problem.prepare()?;
    let nw = problem.workshops.len();
    let closed = match problem.min_lot {
        Some(lot) => open_pattern(problem, &prep, lot)?,
        None => vec![false; nw],
    };
    if problem.max_share.is_none() && problem.min_lot.is_none() {
        return Ok(finish(problem, &prep, solve_network(problem, &prep)?));
    }
    let lp = solve_full(problem, &prep, &closed, direct_max_arcs)?;
    let mut lp = vertex(problem, &prep, &closed, lp)?;
    let mut x = std::mem::take(&mut lp.x);
    polish(problem, &prep, &mut x, &lp.unmet);
    let mut served = vec![0.0; prep.rows.len()];
    for (arc, &q) in prep.arcs.iter().zip(&x) {
        served[arc.row] += q;
    }
    let unmet: Vec<f64> = prep
        .rows
        .iter()
        .zip(&served)
        .map(|(row, &s)| (row.pieces - s).max(0.0))
        .collect();
    lp.x = x;
    lp.unmet = unmet;
    Ok(finish(problem, &prep, lp))
}

/// The allocation from the pieces on each arc and the unmet pieces of each demand row.
fn finish(problem: &AllocationProblem, prep: &Prepared, lp: LpSolution) -> Allocation {
    let nw = problem.workshops.len();
    let x = &lp.x;
    let unmet: Vec<DemandValue> = prep
        .rows
        .iter()
        .zip(&lp.unmet)
        .map(|(row, &u)| DemandValue {
            product: row.product,
            departement: row.departement,
            value: u,
        })
        .collect();
    let mut minutes_used = vec![0.0; nw];
    let mut pieces_made = vec![0.0; nw];
    let mut production_cost_eur = 0.0;
    let mut flows = Vec::new();
    for (arc, &q) in prep.arcs.iter().zip(x) {
        if q > 0.0 {
            minutes_used[arc.workshop] += q * arc.minutes;
            pieces_made[arc.workshop] += q;
            production_cost_eur += q * arc.cost;
            let row = &prep.rows[arc.row];
            flows.push(Flow {
                workshop: arc.workshop,
                product: row.product,
                departement: row.departement,
                pieces: q,
                eur_per_piece: arc.cost,
            });
        }
    }
    let unmet_penalty_eur = problem.unmet_penalty * unmet.iter().map(|u| u.value).sum::<f64>();
    let demand_shadow_eur_per_piece = prep
        .rows
        .iter()
        .zip(&lp.row_dual)
        .map(|(row, &v)| DemandValue {
            product: row.product,
            departement: row.departement,
            value: v,
        })
        .collect();
    Allocation {
        flows,
        unmet,
        objective_eur: production_cost_eur + unmet_penalty_eur,
        production_cost_eur,
        unmet_penalty_eur,
        minutes_used,
        pieces_made,
        capacity_shadow_eur_per_min: lp.capacity_dual,
        demand_shadow_eur_per_piece,
        share_shadow_eur_per_piece: lp.share_dual,
    }
}

/// Make the interior-point solution exactly feasible and clean.
///
/// The solver's values carry noise of the order of its tolerance: flows that should be 0
/// are tiny positives (removed when the solution is read), and constraints hold to about
/// 1e-9. Here:
///
/// 1. a workshop above its minutes or its share has its flows scaled down;
/// 2. a demand row served beyond its demand has its flows scaled down;
/// 3. a demand row served below what the solver served (its demand minus the solver's
///    unmet pieces, after the removal of tiny flows) gets the difference back, on its
///    cheapest flows first, within each workshop's spare minutes and share.
///
/// Afterwards the constraints hold to rounding and unmet = demand − served ≥ 0.
fn polish(problem: &AllocationProblem, prep: &Prepared, x: &mut [f64], solver_unmet: &[f64]) {
    let share_limit = problem
        .max_share
        .map_or(f64::INFINITY, |s| s * prep.total_demand);
    let mut used = vec![0.0; problem.workshops.len()];
    let mut made = vec![0.0; problem.workshops.len()];
    for (w, arcs) in prep.by_workshop.iter().enumerate() {
        let minutes: f64 = arcs.iter().map(|&a| x[a] * prep.arcs[a].minutes).sum();
        let pieces: f64 = arcs.iter().map(|&a| x[a]).sum();
        let mut factor: f64 = 1.0;
        if minutes > problem.minutes_available[w] {
            factor = factor.min(problem.minutes_available[w] / minutes);
        }
        if pieces > share_limit {
            factor = factor.min(share_limit / pieces);
        }
        if factor < 1.0 {
            for &a in arcs {
                x[a] *= factor;
            }
        }
        used[w] = minutes * factor;
        made[w] = pieces * factor;
    }
    let mut by_row = vec![Vec::new(); prep.rows.len()];
    for (a, arc) in prep.arcs.iter().enumerate() {
        if x[a] > 0.0 {
            by_row[arc.row].push(a);
        }
    }
    for ((row, arcs), &unmet) in prep.rows.iter().zip(&mut by_row).zip(solver_unmet) {
        let served: f64 = arcs.iter().map(|&a| x[a]).sum();
        if served > row.pieces {
            let factor = row.pieces / served;
            for &a in arcs.iter() {
                let arc = &prep.arcs[a];
                let less = x[a] * (1.0 - factor);
                used[arc.workshop] -= less * arc.minutes;
                made[arc.workshop] -= less;
                x[a] *= factor;
            }
            continue;
        }
        let mut missing = (row.pieces - unmet).min(row.pieces) - served;
        arcs.sort_by(|&a, &b| prep.arcs[a].cost.total_cmp(&prep.arcs[b].cost));
        for &a in arcs.iter() {
            if missing <= 0.0 {
                break;
            }
            let arc = &prep.arcs[a];
            let w = arc.workshop;
            let room = ((problem.minutes_available[w] - used[w]) / arc.minutes)
                .min(share_limit - made[w])
                .max(0.0);
            let more = missing.min(room);
            x[a] += more;
            used[w] += more * arc.minutes;
            made[w] += more;
            missing -= more;
        }
    }
}

/// Prefecture of a département of metropolitan France, with its coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Prefecture {
    /// Département code (`01`, `2A`, `69`...).
    pub departement: String,
    /// Département name.
    pub departement_name: String,
    /// INSEE code of the region (`84` = Auvergne-Rhône-Alpes).
    pub region_code: String,
    /// Region name.
    pub region_name: String,
    /// Prefecture (town).
    pub prefecture: String,
    /// Latitude (degrees north, WGS84).
    pub lat: f64,
    /// Longitude (degrees east, WGS84).
    pub lon: f64,
}

/// The bundled prefecture table of the 96 départements of metropolitan France
/// (`data/reference/prefectures.csv`; sources in `data/reference/README.md`).
pub const PREFECTURES_CSV: &str = include_str!("../../data/reference/prefectures.csv");

/// INSEE code of Auvergne-Rhône-Alpes.
pub const AURA_REGION_CODE: &str = "84";

fn parse_prefectures() -> std::result::Result<Vec<Prefecture>, String> {
    PREFECTURES_CSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let num = |s: &str| s.trim().parse::<f64>().map_err(|e| format!("{line}: {e}"));
            match f.as_slice() {
                [dep, name, region, region_name, town, lat, lon, _source] => Ok(Prefecture {
                    departement: (*dep).to_owned(),
                    departement_name: (*name).to_owned(),
                    region_code: (*region).to_owned(),
                    region_name: (*region_name).to_owned(),
                    prefecture: (*town).to_owned(),
                    lat: num(lat)?,
                    lon: num(lon)?,
                }),
                _ => Err(format!("{line}: expected 8 fields")),
            }
        })
        .collect()
}

/// The prefectures of the 96 départements of metropolitan France, in département order.
///
/// # Errors
/// [`Error::Internal`] if the bundled table is malformed (a bug; tested).
pub fn prefectures() -> Result<&'static [Prefecture]> {
    static TABLE: std::sync::OnceLock<std::result::Result<Vec<Prefecture>, String>> =
        std::sync::OnceLock::new();
    TABLE
        .get_or_init(parse_prefectures)
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|e| Error::Internal(format!("data/reference/prefectures.csv: {e}")))
}

/// The prefecture of a département of metropolitan France.
///
/// # Errors
/// [`Error::UnknownDepartement`] for a code that is not one of the 96 (overseas
/// départements have no road link to the mainland workshops and are not in the table).
pub fn prefecture(code: &str) -> Result<&'static Prefecture> {
    prefectures()?
        .iter()
        .find(|p| p.departement == code)
        .ok_or_else(|| Error::UnknownDepartement {
            code: code.to_owned(),
        })
}

/// Mean Earth radius (km), IUGG.
pub const EARTH_RADIUS_KM: f64 = 6_371.0;

/// Great-circle distance (km) between two points given in degrees, by the haversine formula
/// on a sphere of radius [`EARTH_RADIUS_KM`].
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// Great-circle distance (km) between the prefectures of two départements of metropolitan
/// France (0 within a département).
///
/// # Errors
/// [`Error::UnknownDepartement`] naming a département that is not one of the 96.
pub fn distance_km(from: &str, to: &str) -> Result<f64> {
    let (a, b) = (prefecture(from)?, prefecture(to)?);
    Ok(haversine_km(a.lat, a.lon, b.lat, b.lon))
}

/// Transport cost (EUR per piece) from each workshop département to each school
/// département: distance_km × `eur_per_piece_km`, as `[from][to]`.
///
/// # Errors
/// [`Error::UnknownDepartement`] for a département outside metropolitan France,
/// [`Error::Parameter`] for a rate that is negative or not finite.
pub fn transport_eur_per_piece(
    from: &[String],
    to: &[String],
    eur_per_piece_km: f64,
) -> Result<Vec<Vec<f64>>> {
    if !(eur_per_piece_km.is_finite() && eur_per_piece_km >= 0.0) {
        return Err(Error::parameter(
            "transport_eur_per_piece_km",
            format!("{eur_per_piece_km}: must be a finite number ≥ 0"),
        ));
    }
    let to: Vec<&Prefecture> = to.iter().map(|b| prefecture(b)).collect::<Result<_>>()?;
    // One lookup per distinct workshop département (many workshops share one).
    let mut rows: HashMap<&str, Vec<f64>> = HashMap::new();
    from.iter()
        .map(|a| {
            if let Some(row) = rows.get(a.as_str()) {
                return Ok(row.clone());
            }
            let p = prefecture(a)?;
            let row: Vec<f64> = to
                .iter()
                .map(|b| haversine_km(p.lat, p.lon, b.lat, b.lon) * eur_per_piece_km)
                .collect();
            rows.insert(a.as_str(), row.clone());
            Ok(row)
        })
        .collect()
}

/// The allocation problem given by name, as a user writes it: tables of workshops,
/// demand and unit costs (what `filiere.allocate` takes).
#[derive(Debug, Clone, Default)]
pub struct NamedProblem {
    /// `(workshop, minutes_available)`, one row per workshop.
    pub capacity: Vec<(String, f64)>,
    /// `(product, departement, pieces)`.
    pub demand: Vec<(String, String, f64)>,
    /// `(workshop, product, departement, eur_per_piece)`; a combination without a row cannot
    /// be made.
    pub unit_cost: Vec<(String, String, String, f64)>,
    /// Minutes per piece of each product.
    pub minutes_per_piece: Vec<(String, f64)>,
    /// Optional maximum share of all pieces per workshop.
    pub max_share: Option<f64>,
    /// Optional minimum lot (pieces) of a workshop that makes anything.
    pub min_lot: Option<f64>,
    /// Penalty per unmet piece (EUR).
    pub unmet_penalty: f64,
}

impl NamedProblem {
    /// Index the names into an [`AllocationProblem`].
    ///
    /// Rows are reported as in a spreadsheet saved from the table (header = row 1, first
    /// row of data = row 2). Demand rows for the same (product, département) are summed;
    /// unit costs for a (product, département) nobody demands are ignored.
    ///
    /// # Errors
    /// [`Error::Schema`] naming the table (`capacity`, `demand`, `unit_cost`,
    /// `minutes_per_piece`), row and column of every problem found: a duplicated workshop or
    /// cost row, a cost row for a workshop missing from `capacity`, a demanded product
    /// without minutes per piece, a number that is negative or not finite.
    pub fn index(&self) -> Result<AllocationProblem> {
        use crate::error::{Problem, Problems};
        let mut problems: Vec<Problem> = Vec::new();
        let mut report = |file: &str, row: usize, column: &str, value: String, message: String| {
            problems.push(Problem {
                file: file.into(),
                row: Some(row + 2),
                column: Some(column.into()),
                value: Some(value),
                message,
            });
        };
        let mut workshops: Vec<String> = Vec::new();
        let mut minutes_available = Vec::new();
        let mut w_index: HashMap<&str, usize> = HashMap::new();
        for (i, (w, m)) in self.capacity.iter().enumerate() {
            if w_index.contains_key(w.as_str()) {
                report(
                    "capacity",
                    i,
                    "workshop",
                    w.clone(),
                    "duplicated workshop".into(),
                );
                continue;
            }
            if !(m.is_finite() && *m >= 0.0) {
                report(
                    "capacity",
                    i,
                    "minutes_available",
                    m.to_string(),
                    "must be a finite number ≥ 0".into(),
                );
            }
            w_index.insert(w, workshops.len());
            workshops.push(w.clone());
            minutes_available.push(*m);
        }
        let minutes: HashMap<&str, (usize, f64)> = self
            .minutes_per_piece
            .iter()
            .enumerate()
            .map(|(i, (p, m))| (p.as_str(), (i, *m)))
            .collect();
        let mut products: Vec<String> = Vec::new();
        let mut p_index: HashMap<&str, usize> = HashMap::new();
        let mut departements: Vec<String> = Vec::new();
        let mut d_index: HashMap<&str, usize> = HashMap::new();
        let mut demand: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for (i, (p, d, q)) in self.demand.iter().enumerate() {
            if !(q.is_finite() && *q >= 0.0) {
                report(
                    "demand",
                    i,
                    "pieces",
                    q.to_string(),
                    "must be a finite number ≥ 0".into(),
                );
                continue;
            }
            let Some(&(mi, m)) = minutes.get(p.as_str()) else {
                report(
                    "demand",
                    i,
                    "product",
                    p.clone(),
                    "product has no minutes_per_piece entry".into(),
                );
                continue;
            };
            if !(m.is_finite() && m > 0.0) {
                report(
                    "minutes_per_piece",
                    mi,
                    p,
                    m.to_string(),
                    "minutes per piece must be a finite number > 0".into(),
                );
                continue;
            }
            let pi = *p_index.entry(p).or_insert_with(|| {
                products.push(p.clone());
                products.len() - 1
            });
            let di = *d_index.entry(d).or_insert_with(|| {
                departements.push(d.clone());
                departements.len() - 1
            });
            *demand.entry((pi, di)).or_insert(0.0) += q;
        }
        let mut seen: HashSet<(usize, usize, usize)> = HashSet::new();
        let mut costs = Vec::new();
        for (i, (w, p, d, c)) in self.unit_cost.iter().enumerate() {
            let Some(&wi) = w_index.get(w.as_str()) else {
                report(
                    "unit_cost",
                    i,
                    "workshop",
                    w.clone(),
                    "workshop is not in the capacity table".into(),
                );
                continue;
            };
            if !(c.is_finite() && *c >= 0.0) {
                report(
                    "unit_cost",
                    i,
                    "eur_per_piece",
                    c.to_string(),
                    "must be a finite number ≥ 0".into(),
                );
                continue;
            }
            let (Some(&pi), Some(&di)) = (p_index.get(p.as_str()), d_index.get(d.as_str())) else {
                continue; // nobody demands it
            };
            if !seen.insert((wi, pi, di)) {
                report(
                    "unit_cost",
                    i,
                    "workshop",
                    format!("{w}/{p}/{d}"),
                    "duplicated (workshop, product, departement)".into(),
                );
                continue;
            }
            costs.push((wi, pi, di, *c));
        }
        if !problems.is_empty() {
            return Err(Error::Schema(Problems(problems)));
        }
        Ok(AllocationProblem {
            workshops,
            minutes_available,
            minutes_per_piece: products.iter().map(|p| minutes[p.as_str()].1).collect(),
            products,
            departements,
            demand: demand.into_iter().map(|((p, d), q)| (p, d, q)).collect(),
            costs,
            max_share: self.max_share,
            min_lot: self.min_lot,
            unmet_penalty: self.unmet_penalty,
        })
    }
}

/// Build the allocation problem of one year from the study's tables.
///
/// * Workshops: every surveyed workshop; minutes available = its yearly operator minutes
///   offered to the programme ([`capacity`]: operators × share × hours, absence deducted)
///   × its line efficiency, i.e. *standard* minutes (see the module docs).
/// * Products: those demanded that year; minutes per piece = (cut + sew + finish +
///   personalise SAM) × (1 + allowance).
/// * Cost of (w, p, d) for each product w makes: the full cost per piece at w
///   ([`piece_cost`]: materials, labour, overhead, personalisation and the flat logistics
///   parameter; margin and VAT excluded) + transport = great-circle distance between the
///   prefectures of w's and d's départements × `eur_per_piece_km`.
/// * Demand: pieces by (product, département), summed over levels.
///
/// `max_share` and `min_lot` are left `None`; set them on the result.
///
/// # Errors
/// [`Error::Study`] if no demand falls in `year` or a demanded product is not in the catalog;
/// [`Error::Parameter`] for a workshop or school département outside AURA or a bad rate.
pub fn problem_for_year(
    workshops: &[Workshop],
    catalog: &[Product],
    demand: &[DemandRow],
    year: i32,
    m: &ModelParams,
    eur_per_piece_km: f64,
    unmet_penalty: f64,
) -> Result<AllocationProblem> {
    let mut by_pd: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for r in demand.iter().filter(|r| r.year == year) {
        *by_pd
            .entry((r.product.as_str(), r.departement.as_str()))
            .or_insert(0.0) += r.pieces;
    }
    if by_pd.is_empty() {
        return Err(invalid(format!("no demand in {year}")));
    }
    let mut products: Vec<&str> = by_pd.keys().map(|k| k.0).collect();
    products.sort_unstable();
    products.dedup();
    let mut departements: Vec<&str> = by_pd.keys().map(|k| k.1).collect();
    departements.sort_unstable();
    departements.dedup();
    let catalog_rows: Vec<&Product> = products
        .iter()
        .map(|id| {
            catalog.iter().find(|p| p.id == *id).ok_or_else(|| {
                invalid(format!(
                    "product `{id}` is demanded in {year} but is not in the catalog"
                ))
            })
        })
        .collect::<Result<_>>()?;
    let departements: Vec<String> = departements.into_iter().map(str::to_owned).collect();
    let workshop_deps: Vec<String> = workshops.iter().map(|w| w.departement.clone()).collect();
    let transport = transport_eur_per_piece(&workshop_deps, &departements, eur_per_piece_km)
        .map_err(|e| match e {
            Error::Parameter { name, reason } => Error::Parameter {
                name,
                reason: format!("{reason} (workshops and schools must be in metropolitan France)"),
            },
            other => other,
        })?;
    let p_index: HashMap<&str, usize> = products.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let d_index: HashMap<&str, usize> = departements
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect();
    let demand_entries = by_pd
        .iter()
        .map(|(&(p, d), &q)| (p_index[p], d_index[d], q))
        .collect();
    let mut costs = Vec::new();
    let mut minutes_available = Vec::with_capacity(workshops.len());
    for (w, ws) in workshops.iter().enumerate() {
        let terms = WorkshopTerms::of(Some(ws), m);
        minutes_available.push(capacity(ws, m).minutes_per_year * terms.efficiency);
        for (p, product) in catalog_rows.iter().enumerate() {
            if !ws.products.contains(&product.id) {
                continue;
            }
            let unit = piece_cost(product, &terms, m).cost_eur;
            for (d, t) in transport[w].iter().enumerate() {
                costs.push((w, p, d, unit + t));
            }
        }
    }
    Ok(AllocationProblem {
        workshops: workshops.iter().map(|w| w.id.clone()).collect(),
        minutes_available,
        products: products.iter().map(|p| (*p).to_owned()).collect(),
        minutes_per_piece: catalog_rows
            .iter()
            .map(|p| (p.sam_making_min() + p.sam_personalise_min) * (1.0 + m.allowance))
            .collect(),
        departements,
        demand: demand_entries,
        costs,
        max_share: None,
        min_lot: None,
        unmet_penalty,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prefectures of the twelve départements of Auvergne-Rhône-Alpes.
    fn aura_prefectures() -> Vec<&'static Prefecture> {
        prefectures()
            .unwrap()
            .iter()
            .filter(|p| p.region_code == AURA_REGION_CODE)
            .collect()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    /// Two workshops, one product, two départements.
    ///
    /// A: 600 min, B: 1,000 min; 20 min per polo, so A can make 30 pieces and B 50.
    /// Demand: 69 → 40, 42 → 30. Costs (EUR/piece): A→69 10, A→42 12, B→69 11, B→42 11.5.
    /// Penalty 100.
    ///
    /// By hand: A is 1 EUR cheaper than B for 69 and 0.5 dearer for 42, so A makes 30 for 69
    /// (its whole capacity); B makes the other 10 for 69 and the 30 for 42 (40 pieces,
    /// 800 of its 1,000 min). Objective = 30×10 + 10×11 + 30×11.5 = 755 EUR.
    /// Duals: one more minute at A moves 1/20 piece for 69 from B to A, saving 1 EUR/piece:
    /// 0.05 EUR/min; B is slack: 0. One more piece for 69 comes from B at 11; for 42 from B
    /// at 11.5. The primal is non-degenerate (4 basic values for 4 rows), so the duals are
    /// unique; check: reduced costs A→69 = 10 + 20×0.05 − 11 = 0, A→42 = 12 + 1 − 11.5 = 1.5,
    /// B→69 = 0, B→42 = 0, all ≥ 0.
    fn hand_problem() -> AllocationProblem {
        AllocationProblem {
            workshops: vec!["A".into(), "B".into()],
            minutes_available: vec![600.0, 1_000.0],
            products: vec!["polo".into()],
            minutes_per_piece: vec![20.0],
            departements: vec!["69".into(), "42".into()],
            demand: vec![(0, 0, 40.0), (0, 1, 30.0)],
            costs: vec![
                (0, 0, 0, 10.0),
                (0, 0, 1, 12.0),
                (1, 0, 0, 11.0),
                (1, 0, 1, 11.5),
            ],
            max_share: None,
            min_lot: None,
            unmet_penalty: 100.0,
        }
    }

    fn flow(a: &Allocation, w: usize, p: usize, d: usize) -> f64 {
        a.flows
            .iter()
            .filter(|f| f.workshop == w && f.product == p && f.departement == d)
            .map(|f| f.pieces)
            .sum()
    }

    /// Capacity and demand invariants.
    fn check_invariants(problem: &AllocationProblem, a: &Allocation) {
        for (w, &used) in a.minutes_used.iter().enumerate() {
            assert!(
                used <= problem.minutes_available[w] * (1.0 + 1e-9) + 1e-9,
                "workshop {w}: {used} > {}",
                problem.minutes_available[w]
            );
        }
        let mut demand: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for &(p, d, q) in &problem.demand {
            *demand.entry((p, d)).or_default() += q;
        }
        for (&(p, d), &q) in &demand {
            let made: f64 = a
                .flows
                .iter()
                .filter(|f| f.product == p && f.departement == d)
                .map(|f| f.pieces)
                .sum();
            let unmet = a
                .unmet
                .iter()
                .find(|u| u.product == p && u.departement == d)
                .map_or(0.0, |u| u.value);
            assert!(
                (made + unmet - q).abs() <= 1e-6 * q.max(1.0),
                "({p}, {d}): {made} + {unmet} != {q}"
            );
        }
        assert!(a.flows.iter().all(|f| f.pieces > 0.0));
        assert!(a.unmet.iter().all(|u| u.value >= 0.0));
        assert!(a.capacity_shadow_eur_per_min.iter().all(|&s| s >= 0.0));
    }

    #[test]
    fn tiny_lp_matches_the_hand_solution() {
        let problem = hand_problem();
        let a = allocate(&problem).unwrap();
        check_invariants(&problem, &a);
        assert!(close(flow(&a, 0, 0, 0), 30.0, 1e-6), "{a:?}");
        assert!(flow(&a, 0, 0, 1).abs() < 1e-6, "{a:?}");
        assert!(close(flow(&a, 1, 0, 0), 10.0, 1e-6), "{a:?}");
        assert!(close(flow(&a, 1, 0, 1), 30.0, 1e-6), "{a:?}");
        assert!(close(a.objective_eur, 755.0, 1e-6), "{}", a.objective_eur);
        assert!(a.unmet_pieces().abs() < 1e-6);
        assert!(close(a.minutes_used[0], 600.0, 1e-6));
        assert!(close(a.minutes_used[1], 800.0, 1e-6));
        assert!(close(a.pieces_made[1], 40.0, 1e-6));
        // A's capacity binds: 0.05 EUR per minute; B's is slack.
        assert!(close(a.capacity_shadow_eur_per_min[0], 0.05, 1e-5), "{a:?}");
        assert!(a.capacity_shadow_eur_per_min[1].abs() < 1e-6, "{a:?}");
        let shadow = |d: usize| {
            a.demand_shadow_eur_per_piece
                .iter()
                .find(|s| s.departement == d)
                .unwrap()
                .value
        };
        assert!(close(shadow(0), 11.0, 1e-5), "{a:?}");
        assert!(close(shadow(1), 11.5, 1e-5), "{a:?}");
    }

    #[test]
    fn binding_capacity_with_shortage_is_priced_by_the_penalty() {
        // Only A (600 min = 30 pieces at 20 min) for 40 pieces: 10 unmet at 100 EUR.
        // One more minute makes 1/20 piece more, saving (100 − 10)/20 = 4.5 EUR.
        let problem = AllocationProblem {
            workshops: vec!["A".into()],
            minutes_available: vec![600.0],
            departements: vec!["69".into()],
            demand: vec![(0, 0, 40.0)],
            costs: vec![(0, 0, 0, 10.0)],
            ..hand_problem()
        };
        let a = allocate(&problem).unwrap();
        check_invariants(&problem, &a);
        assert!(close(a.unmet_pieces(), 10.0, 1e-6));
        assert!(close(a.objective_eur, 30.0 * 10.0 + 10.0 * 100.0, 1e-6));
        assert!(close(a.capacity_shadow_eur_per_min[0], 4.5, 1e-5), "{a:?}");
        assert!(close(a.demand_shadow_eur_per_piece[0].value, 100.0, 1e-5));
    }

    #[test]
    fn demand_nobody_can_make_is_unmet_at_the_penalty() {
        // Add a sweatshirt in 69 that no workshop makes.
        let mut problem = hand_problem();
        problem.products.push("sweatshirt".into());
        problem.minutes_per_piece.push(15.0);
        problem.demand.push((1, 0, 25.0));
        let a = allocate(&problem).unwrap();
        check_invariants(&problem, &a);
        let unmet = a.unmet.iter().find(|u| u.product == 1).unwrap().value;
        assert!(close(unmet, 25.0, 1e-9));
        assert!(close(a.unmet_penalty_eur, 2_500.0, 1e-6));
        assert!(close(a.objective_eur, 755.0 + 2_500.0, 1e-6));
        let shadow = a
            .demand_shadow_eur_per_piece
            .iter()
            .find(|s| s.product == 1)
            .unwrap()
            .value;
        assert!(close(shadow, 100.0, 1e-5));
    }

    #[test]
    fn max_share_is_respected() {
        // A cheap and large, B dear: without a limit A makes all 70 pieces.
        let mut problem = hand_problem();
        problem.minutes_available = vec![10_000.0, 10_000.0];
        problem.costs = vec![
            (0, 0, 0, 5.0),
            (0, 0, 1, 5.0),
            (1, 0, 0, 9.0),
            (1, 0, 1, 9.0),
        ];
        let free = allocate(&problem).unwrap();
        assert!(close(free.pieces_made[0], 70.0, 1e-6));
        problem.max_share = Some(0.6);
        let a = allocate(&problem).unwrap();
        check_invariants(&problem, &a);
        assert!(a.pieces_made[0] <= 0.6 * 70.0 * (1.0 + 1e-9));
        assert!(close(a.pieces_made[0], 42.0, 1e-6));
        assert!(close(a.objective_eur, 42.0 * 5.0 + 28.0 * 9.0, 1e-6));
        // One more piece allowed at A saves 9 − 5 = 4 EUR.
        assert!(close(a.share_shadow_eur_per_piece[0], 4.0, 1e-5), "{a:?}");
        assert!(matches!(
            allocate(&AllocationProblem {
                max_share: Some(1.5),
                ..problem
            }),
            Err(Error::Parameter { .. })
        ));
    }

    #[test]
    fn minimum_lot_closes_or_fills_workshops() {
        // Demand 100 polos in 69. A: 10 EUR, 80 pieces of capacity; B: 11 EUR, 100 pieces.
        // Without lots: A 80 + B 20 = 1,020 EUR. With a lot of 50: B cannot make 20, so the
        // best is A 50 + B 50 = 1,050 (B alone 1,100; A 80 + 20 unmet 2,800).
        let problem = AllocationProblem {
            workshops: vec!["A".into(), "B".into()],
            minutes_available: vec![80.0 * 20.0, 100.0 * 20.0],
            products: vec!["polo".into()],
            minutes_per_piece: vec![20.0],
            departements: vec!["69".into()],
            demand: vec![(0, 0, 100.0)],
            costs: vec![(0, 0, 0, 10.0), (1, 0, 0, 11.0)],
            max_share: None,
            min_lot: None,
            unmet_penalty: 100.0,
        };
        let free = allocate(&problem).unwrap();
        assert!(close(free.objective_eur, 1_020.0, 1e-6));
        let lots = AllocationProblem {
            min_lot: Some(50.0),
            ..problem.clone()
        };
        let a = allocate(&lots).unwrap();
        check_invariants(&lots, &a);
        assert!(close(a.objective_eur, 1_050.0, 1e-6), "{a:?}");
        assert!(close(a.pieces_made[0], 50.0, 1e-6) && close(a.pieces_made[1], 50.0, 1e-6));
        // A lot larger than any capacity closes every workshop: all unmet.
        let a = allocate(&AllocationProblem {
            min_lot: Some(150.0),
            ..problem
        })
        .unwrap();
        assert!(a.flows.is_empty());
        assert!(close(a.unmet_pieces(), 100.0, 1e-9));
    }

    #[test]
    fn empty_and_invalid_inputs_are_clear_errors() {
        let base = hand_problem();
        let message = |p: AllocationProblem| allocate(&p).unwrap_err().to_string();
        assert!(message(AllocationProblem {
            workshops: vec![],
            minutes_available: vec![],
            ..base.clone()
        })
        .contains("no workshop"));
        assert!(message(AllocationProblem {
            demand: vec![],
            ..base.clone()
        })
        .contains("no demand"));
        assert!(message(AllocationProblem {
            costs: vec![],
            ..base.clone()
        })
        .contains("no cost entry"));
        let text = message(AllocationProblem {
            minutes_available: vec![600.0, -1.0],
            ..base.clone()
        });
        assert!(
            text.contains("workshop `B`") && text.contains("-1"),
            "{text}"
        );
        let text = message(AllocationProblem {
            minutes_per_piece: vec![f64::NAN],
            ..base.clone()
        });
        assert!(text.contains("product `polo`"), "{text}");
        let text = message(AllocationProblem {
            demand: vec![(0, 1, f64::INFINITY)],
            ..base.clone()
        });
        assert!(text.contains("département 42"), "{text}");
        let text = message(AllocationProblem {
            costs: vec![(0, 0, 0, 1.0), (0, 0, 0, 2.0)],
            ..base.clone()
        });
        assert!(text.contains("two cost entries"), "{text}");
        let text = message(AllocationProblem {
            costs: vec![(5, 0, 0, 1.0)],
            ..base.clone()
        });
        assert!(text.contains("does not exist"), "{text}");
        let text = message(AllocationProblem {
            unmet_penalty: 0.0,
            ..base
        });
        assert!(text.contains("penalty"), "{text}");
    }

    /// splitmix64: a tiny deterministic generator for test data.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        }
        fn range(&mut self, lo: f64, hi: f64) -> f64 {
            lo + (hi - lo) * self.next()
        }
    }

    /// A random instance: `nw` workshops and `nd` départements at random places in AURA,
    /// two products, every workshop able to serve every département with both; capacity
    /// `capacity_ratio` × the minutes demand needs, so that capacity binds.
    fn random_problem(nw: usize, nd: usize, capacity_ratio: f64, seed: u64) -> AllocationProblem {
        let np = 2;
        let mut rng = Rng(seed);
        let at = |rng: &mut Rng| (rng.range(44.2, 46.5), rng.range(2.2, 6.9));
        let w_loc: Vec<(f64, f64)> = (0..nw).map(|_| at(&mut rng)).collect();
        let d_loc: Vec<(f64, f64)> = (0..nd).map(|_| at(&mut rng)).collect();
        let minutes_per_piece = vec![17.0, 15.0];
        let demand: Vec<(usize, usize, f64)> = (0..np)
            .flat_map(|p| (0..nd).map(move |d| (p, d)))
            .map(|(p, d)| (p, d, rng.range(1_000.0, 50_000.0).round()))
            .collect();
        let need: f64 = demand
            .iter()
            .map(|&(p, _, q)| q * minutes_per_piece[p])
            .sum();
        let weights: Vec<f64> = (0..nw).map(|_| rng.range(0.2, 1.8)).collect();
        let total: f64 = weights.iter().sum();
        let minutes_available: Vec<f64> = weights
            .iter()
            .map(|w| capacity_ratio * need * w / total)
            .collect();
        let labour: Vec<f64> = (0..nw).map(|_| rng.range(14.0, 24.0)).collect();
        let mut costs = Vec::with_capacity(nw * nd * np);
        for (w, (&(wlat, wlon), &hourly)) in w_loc.iter().zip(&labour).enumerate() {
            for (d, &(dlat, dlon)) in d_loc.iter().enumerate() {
                let km = haversine_km(wlat, wlon, dlat, dlon);
                for (p, &m) in minutes_per_piece.iter().enumerate() {
                    costs.push((w, p, d, 12.0 + hourly * m / 60.0 + 0.01 * km));
                }
            }
        }
        AllocationProblem {
            workshops: (0..nw).map(|w| format!("W{w}")).collect(),
            minutes_available,
            products: vec!["polo".into(), "sweatshirt".into()],
            minutes_per_piece,
            departements: (0..nd).map(|d| format!("D{d}")).collect(),
            demand,
            costs,
            max_share: None,
            min_lot: None,
            unmet_penalty: 60.0,
        }
    }

    #[test]
    fn column_generation_finds_the_full_lp_optimum() {
        // 300 workshops × 30 départements × 2 products = 18,000 flows: solved whole, then by
        // column generation from 24 columns per demand row. Same optimum, same prices.
        for (ratio, share) in [(0.95, None), (1.3, Some(0.02))] {
            let problem = AllocationProblem {
                max_share: share,
                ..random_problem(300, 30, ratio, 7)
            };
            let whole = allocate_with(&problem, usize::MAX).unwrap();
            let generated = allocate_with(&problem, 0).unwrap();
            check_invariants(&problem, &generated);
            // Columns enter below a reduced cost of −1e-7 × 60 EUR: over ~1.5 M pieces the
            // objective may stay up to ~9 EUR (3e-7) above the optimum.
            assert!(
                close(generated.objective_eur, whole.objective_eur, 1e-6),
                "{} vs {}",
                generated.objective_eur,
                whole.objective_eur
            );
            for (g, w) in generated
                .demand_shadow_eur_per_piece
                .iter()
                .zip(&whole.demand_shadow_eur_per_piece)
            {
                assert!(close(g.value, w.value, 1e-4), "{g:?} vs {w:?}");
            }
            let total = |a: &Allocation| a.capacity_shadow_eur_per_min.iter().sum::<f64>();
            assert!(close(total(&generated), total(&whole), 1e-4));
        }
    }

    #[test]
    fn large_random_instance_solves() {
        // 5,000 workshops × 100 départements × 2 products, every workshop able to serve
        // every département with both products: 1,000,000 flow variables. Capacity is 5 %
        // short of need, so capacity binds and the dearest pieces are left unmet.
        let problem = random_problem(5_000, 100, 0.95, 42);
        let started = std::time::Instant::now();
        let a = allocate(&problem).unwrap();
        eprintln!(
            "large LP: 5,000 workshops x 100 départements x 2 products solved in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        check_invariants(&problem, &a);
        assert!(a.unmet_pieces() > 0.0);
        assert!(a.capacity_shadow_eur_per_min.iter().any(|&s| s > 0.0));
        assert!(a
            .demand_shadow_eur_per_piece
            .iter()
            .all(|s| s.value <= 60.0 * (1.0 + 1e-6)));
        // Optimality, checked on all 1,000,000 columns: no reduced cost is negative.
        let shadow: BTreeMap<(usize, usize), f64> = a
            .demand_shadow_eur_per_piece
            .iter()
            .map(|s| ((s.product, s.departement), s.value))
            .collect();
        let worst = problem
            .costs
            .iter()
            .map(|&(w, p, d, c)| {
                c - shadow[&(p, d)]
                    + problem.minutes_per_piece[p] * a.capacity_shadow_eur_per_min[w]
            })
            .fold(f64::INFINITY, f64::min);
        assert!(worst > -1e-4, "{worst}");
    }

    #[test]
    fn prefectures_and_distances() {
        let table = aura_prefectures();
        assert_eq!(table.len(), 12);
        for code in [
            "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74",
        ] {
            assert!(table.iter().any(|p| p.departement == code), "{code}");
        }
        // Paris–London, a textbook check of the formula: ≈ 343.5 km.
        assert!((haversine_km(48.8566, 2.3522, 51.5074, -0.1278) - 343.5).abs() < 1.0);
        // Lyon–Grenoble ≈ 94 km, Lyon–Saint-Étienne ≈ 50 km, Lyon–Clermont ≈ 136 km
        // as the crow flies.
        let lg = distance_km("69", "38").unwrap();
        assert!((90.0..100.0).contains(&lg), "{lg}");
        let ls = distance_km("69", "42").unwrap();
        assert!((45.0..55.0).contains(&ls), "{ls}");
        let lc = distance_km("69", "63").unwrap();
        assert!((130.0..142.0).contains(&lc), "{lc}");
        assert_eq!(distance_km("63", "63").unwrap(), 0.0);
        // Outside metropolitan France: a typed error naming the code.
        let err = distance_km("69", "971").unwrap_err();
        assert!(
            matches!(&err, Error::UnknownDepartement { code } if code == "971"),
            "{err}"
        );
        assert!(err.to_string().contains("`971`"), "{err}");
        let t =
            transport_eur_per_piece(&["69".into()], &["38".into(), "69".into()], 0.002).unwrap();
        assert!(close(t[0][0], lg * 0.002, 1e-12) && t[0][1] == 0.0);
        assert!(transport_eur_per_piece(&["69".into()], &["38".into()], -1.0).is_err());
    }

    #[test]
    fn national_prefectures() {
        let table = prefectures().unwrap();
        assert_eq!(table.len(), 96);
        let mut regions: Vec<&str> = table.iter().map(|p| p.region_code.as_str()).collect();
        regions.sort_unstable();
        regions.dedup();
        assert_eq!(regions.len(), 13, "{regions:?}");
        for p in table {
            // Inside metropolitan France's bounding box (Corsica included).
            assert!((41.3..51.1).contains(&p.lat), "{p:?}");
            assert!((-5.2..9.6).contains(&p.lon), "{p:?}");
        }
        assert_eq!(prefecture("2A").unwrap().prefecture, "Ajaccio");
        // As the crow flies: Paris–Marseille ≈ 661 km, Paris–Lille ≈ 204 km,
        // Bordeaux–Strasbourg ≈ 761 km, Lyon–Paris ≈ 392 km.
        for (a, b, km) in [
            ("75", "13", 661.0),
            ("75", "59", 204.0),
            ("33", "67", 761.0),
            ("69", "75", 392.0),
        ] {
            let d = distance_km(a, b).unwrap();
            assert!((d - km).abs() < 8.0, "{a}-{b}: {d}");
        }
        // The AURA subset is the twelve AURA rows, unchanged.
        let aura = aura_prefectures();
        assert!(aura.iter().all(|p| p.region_code == AURA_REGION_CODE));
        assert_eq!(prefecture("69").unwrap(), aura[9]);
        assert!(matches!(
            prefecture("99"),
            Err(Error::UnknownDepartement { .. })
        ));
    }

    #[test]
    fn problem_from_the_survey() {
        use crate::data::tables::Level;
        use crate::params::Params;
        let m = Params::defaults().model();
        let workshop = |id: &str, dep: &str, products: &[&str]| Workshop {
            efficiency: Some(0.5),
            programme_share: Some(0.5),
            ..Workshop::fixture(id, dep, 20, products)
        };
        let product = Product::fixture;
        let row = |dep: &str, level, product: &str, pieces| DemandRow {
            year: 2026,
            departement: dep.into(),
            level,
            product: product.into(),
            pupils: 0.0,
            kits: 0.0,
            pieces,
        };
        let workshops = vec![
            workshop("A", "69", &["polo", "sweatshirt"]),
            workshop("B", "42", &["polo"]),
        ];
        let catalog = vec![product("polo", 12.0), product("sweatshirt", 10.0)];
        let demand = vec![
            row("63", Level::Lycee, "polo", 3_000.0),
            row("63", Level::College, "polo", 1_000.0),
            row("38", Level::Lycee, "sweatshirt", 2_000.0),
        ];
        let p = problem_for_year(&workshops, &catalog, &demand, 2026, &m, 0.002, 80.0).unwrap();
        assert_eq!(p.products, vec!["polo", "sweatshirt"]);
        assert_eq!(p.departements, vec!["38", "63"]);
        assert!(p.demand.contains(&(0, 1, 4_000.0)));
        // A: 2 products × 2 départements, B: polo × 2 départements.
        assert_eq!(p.costs.len(), 6);
        // Standard minutes: operator minutes × efficiency.
        let cap = capacity(&workshops[0], &m).minutes_per_year;
        assert!(close(p.minutes_available[0], cap * 0.5, 1e-12));
        assert!(close(
            p.minutes_per_piece[0],
            16.5 * (1.0 + m.allowance),
            1e-12
        ));
        // Transport: B (42) is closer to 63 than A (69), so its labour being equal, its
        // cost to 63 is lower.
        let cost = |w, d| {
            p.costs
                .iter()
                .find(|c| c.0 == w && c.1 == 0 && c.2 == d)
                .unwrap()
                .3
        };
        assert!(cost(1, 1) < cost(0, 1));
        let a = allocate(&p).unwrap();
        check_invariants(&p, &a);
        assert!(a.unmet_pieces() < 1e-6, "{a:?}");
        assert!(problem_for_year(&workshops, &catalog, &demand, 2030, &m, 0.002, 80.0).is_err());
        let mut far = workshops.clone();
        // Paris has a prefecture now (national table); an overseas code does not.
        far[1].departement = "75".into();
        assert!(problem_for_year(&far, &catalog, &demand, 2026, &m, 0.002, 80.0).is_ok());
        far[1].departement = "971".into();
        let err = problem_for_year(&far, &catalog, &demand, 2026, &m, 0.002, 80.0).unwrap_err();
        assert!(
            matches!(&err, Error::UnknownDepartement { code } if code == "971"),
            "{err}"
        );
    }
}
