//! A primal network simplex for uncapacitated minimum-cost flow problems, with integer
//! flows and real costs.
//!
//! ```text
//! minimise   Σ_a cost[a] · flow[a]
//! subject to Σ_{a out of i} flow[a] − Σ_{a into i} flow[a] = supply[i]   (every node i)
//!            flow[a] ≥ 0 (integer)
//! ```
//!
//! The algorithm is the textbook one (Ahuja, Magnanti and Orlin, *Network Flows*, 1993,
//! ch. 11): a spanning tree of basic arcs, node potentials π with `cost + π[u] − π[v] = 0`
//! on tree arcs, and pivots that bring in a non-tree arc of negative reduced cost
//! `cost + π[u] − π[v]`. Its details follow LEMON's `NetworkSimplex` (Kovács, "Minimum-cost
//! flow algorithms: an experimental evaluation", Optimization Methods and Software 30(1),
//! 2015): the block-search pivot rule (the most negative reduced cost in blocks of about
//! √arcs arcs, scanned cyclically), and Cunningham's strongly feasible trees (the leaving arc
//! is the last blocking arc of the cycle met from its apex), which make degenerate pivots
//! terminate without perturbation.
//!
//! The caller gives the first tree (it must be strongly feasible: positive flow can be sent
//! from every node to the root along the tree; see [`Tree`]). Flows are `i64` so that the
//! solution is an exact vertex: a flow that is zero is exactly zero. Costs are `f64`; the
//! potentials are recomputed from the tree at the end, and pricing goes on until no arc has a
//! reduced cost below `−tol`.
//!
//! Node counts here are small (thousands) and arc counts large (hundreds of thousands), so
//! the tree is kept as parent pointers with child lists, and a pivot relabels the moved
//! subtree only.

use crate::error::{Error, Result};

const NONE: u32 = u32::MAX;

/// A spanning tree of a network: for each node but the root, its parent and the arc between
/// them, with every arc's flow.
#[derive(Debug, Clone)]
pub struct Tree {
    /// Root node.
    pub root: usize,
    /// Parent of each node (`usize::MAX` for the root).
    pub parent: Vec<usize>,
    /// Arc joining each node to its parent (ignored for the root).
    pub pred: Vec<usize>,
    /// Flow on each arc; non-tree arcs must carry 0.
    pub flow: Vec<i64>,
}

/// The solved problem.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Flow on each arc.
    pub flow: Vec<i64>,
    /// Node potentials: `cost + π[u] − π[v] ≥ −tol` on every arc, `= 0` on arcs with flow,
    /// `π[root] = 0`. The marginal cost of one more unit of supply at node i (balanced by
    /// one less at the root) is `−π[i]`.
    pub potential: Vec<f64>,
    /// Pivots made.
    pub pivots: usize,
    /// The final tree (to start another solve of the same network from).
    pub tree: Tree,
}

/// An uncapacitated network.
#[derive(Debug, Clone)]
pub struct Network {
    nodes: usize,
    src: Vec<u32>,
    dst: Vec<u32>,
    cost: Vec<f64>,
}

impl Network {
    /// A network of `nodes` nodes and no arc.
    pub fn new(nodes: usize) -> Self {
        Network {
            nodes,
            src: Vec::new(),
            dst: Vec::new(),
            cost: Vec::new(),
        }
    }

    /// Reserve room for `n` more arcs.
    pub fn reserve(&mut self, n: usize) {
        self.src.reserve(n);
        self.dst.reserve(n);
        self.cost.reserve(n);
    }

    /// Add the arc `from → to` of cost `cost` per unit; returns its index.
    pub fn add_arc(&mut self, from: usize, to: usize, cost: f64) -> usize {
        debug_assert!(from < self.nodes && to < self.nodes && from != to);
        self.src.push(from as u32);
        self.dst.push(to as u32);
        self.cost.push(cost);
        self.src.len() - 1
    }

    /// Number of arcs.
    pub fn arcs(&self) -> usize {
        self.src.len()
    }

    /// Solve from the strongly feasible tree `start`; `tol` is the reduced cost (in cost
    /// units) below which an arc counts as improving.
    ///
    /// # Errors
    /// [`Error::Internal`] if the tree is not a spanning tree of the network, or its flows
    /// do not meet the supplies, or the problem is unbounded (a cycle of negative cost).
    pub fn solve(&self, supply: &[i64], start: Tree, tol: f64) -> Result<Solution> {
        let mut s = State::new(self, supply, start)?;
        s.run(tol)?;
        Ok(s.finish())
    }
}

fn internal(reason: &str) -> Error {
    Error::Internal(format!("network simplex: {reason}"))
}

struct State<'a> {
    net: &'a Network,
    flow: Vec<i64>,
    in_tree: Vec<bool>,
    root: usize,
    parent: Vec<u32>,
    pred: Vec<u32>,
    /// The node's tree arc goes from the node to its parent.
    up: Vec<bool>,
    depth: Vec<u32>,
    pi: Vec<f64>,
    first_child: Vec<u32>,
    next_sib: Vec<u32>,
    prev_sib: Vec<u32>,
    next_arc: usize,
    block: usize,
    pivots: usize,
    stack: Vec<u32>,
}

impl<'a> State<'a> {
    fn new(net: &'a Network, supply: &[i64], t: Tree) -> Result<Self> {
        let n = net.nodes;
        let m = net.arcs();
        if supply.len() != n || t.parent.len() != n || t.pred.len() != n || t.flow.len() != m {
            return Err(internal("sizes of supplies, tree and arcs disagree"));
        }
        let mut s = State {
            net,
            flow: t.flow,
            in_tree: vec![false; m],
            root: t.root,
            parent: vec![NONE; n],
            pred: vec![NONE; n],
            up: vec![false; n],
            depth: vec![0; n],
            pi: vec![0.0; n],
            first_child: vec![NONE; n],
            next_sib: vec![NONE; n],
            prev_sib: vec![NONE; n],
            next_arc: 0,
            block: ((m as f64).sqrt() as usize).max(10),
            pivots: 0,
            stack: Vec::with_capacity(n),
        };
        for i in 0..n {
            if i == t.root {
                continue;
            }
            let (p, a) = (t.parent[i], t.pred[i]);
            if p >= n || a >= m {
                return Err(internal("a node has no parent in the first tree"));
            }
            let (u, v) = (net.src[a] as usize, net.dst[a] as usize);
            if !((u == i && v == p) || (u == p && v == i)) {
                return Err(internal("a tree arc does not join a node to its parent"));
            }
            s.parent[i] = p as u32;
            s.pred[i] = a as u32;
            s.up[i] = u == i;
            s.in_tree[a] = true;
            s.attach(i, p);
        }
        if s.flow.iter().any(|&f| f < 0)
            || s.flow.iter().zip(&s.in_tree).any(|(&f, &t)| f != 0 && !t)
        {
            return Err(internal("the first tree has negative or non-tree flows"));
        }
        let mut balance = supply.to_vec();
        for a in 0..m {
            balance[net.src[a] as usize] -= s.flow[a];
            balance[net.dst[a] as usize] += s.flow[a];
        }
        if balance.iter().any(|&b| b != 0) {
            return Err(internal("the first tree's flows do not meet the supplies"));
        }
        // Potentials and depths from the root; every node must be reached.
        if s.relabel(t.root as u32, 0, 0.0) != n {
            return Err(internal("the first tree does not span the network"));
        }
        Ok(s)
    }

    fn attach(&mut self, child: usize, parent: usize) {
        let first = self.first_child[parent];
        self.next_sib[child] = first;
        self.prev_sib[child] = NONE;
        if first != NONE {
            self.prev_sib[first as usize] = child as u32;
        }
        self.first_child[parent] = child as u32;
    }

    fn detach(&mut self, child: usize, parent: usize) {
        let (prev, next) = (self.prev_sib[child], self.next_sib[child]);
        if prev == NONE {
            self.first_child[parent] = next;
        } else {
            self.next_sib[prev as usize] = next;
        }
        if next != NONE {
            self.prev_sib[next as usize] = prev;
        }
    }

    /// Set depth and potential of `top` and of its subtree from `top`'s tree arc, `top` at
    /// `depth` with potential `pi` (or shifted, see `run`); returns the nodes visited.
    fn relabel(&mut self, top: u32, depth: u32, pi: f64) -> usize {
        self.depth[top as usize] = depth;
        self.pi[top as usize] = pi;
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(top);
        let mut seen = 0;
        while let Some(x) = stack.pop() {
            seen += 1;
            let mut c = self.first_child[x as usize];
            while c != NONE {
                let ci = c as usize;
                let a = self.pred[ci] as usize;
                self.depth[ci] = self.depth[x as usize] + 1;
                // cost + π[u] − π[v] = 0 on the tree arc.
                self.pi[ci] = if self.up[ci] {
                    self.pi[x as usize] - self.net.cost[a]
                } else {
                    self.pi[x as usize] + self.net.cost[a]
                };
                stack.push(c);
                c = self.next_sib[ci];
            }
        }
        self.stack = stack;
        seen
    }

    #[inline]
    fn reduced(&self, a: usize) -> f64 {
        self.net.cost[a] + self.pi[self.net.src[a] as usize] - self.pi[self.net.dst[a] as usize]
    }

    /// Block search: the most negative reduced cost in the first block that has one.
    fn entering(&mut self, tol: f64) -> Option<usize> {
        let m = self.net.arcs();
        let mut best = usize::MAX;
        let mut min = -tol;
        let mut count = self.block;
        let mut a = self.next_arc;
        for _ in 0..m {
            if !self.in_tree[a] {
                let rc = self.reduced(a);
                if rc < min {
                    min = rc;
                    best = a;
                }
            }
            a += 1;
            if a == m {
                a = 0;
            }
            count -= 1;
            if count == 0 {
                if best != usize::MAX {
                    self.next_arc = a;
                    return Some(best);
                }
                count = self.block;
            }
        }
        (best != usize::MAX).then(|| {
            self.next_arc = a;
            best
        })
    }

    fn join(&self, mut u: usize, mut v: usize) -> usize {
        while u != v {
            if self.depth[u] > self.depth[v] {
                u = self.parent[u] as usize;
            } else {
                v = self.parent[v] as usize;
            }
        }
        u
    }

    fn run(&mut self, tol: f64) -> Result<()> {
        loop {
            while let Some(e) = self.entering(tol) {
                self.pivot(e)?;
            }
            // Potentials drift with the incremental updates: recompute them from the tree
            // and price every arc again; stop when nothing improves on exact potentials.
            self.relabel(self.root as u32, 0, 0.0);
            self.next_arc = 0;
            let m = self.net.arcs();
            if !(0..m).any(|a| !self.in_tree[a] && self.reduced(a) < -tol) {
                return Ok(());
            }
        }
    }

    fn pivot(&mut self, e: usize) -> Result<()> {
        self.pivots += 1;
        let (first, second) = (self.net.src[e] as usize, self.net.dst[e] as usize);
        let join = self.join(first, second);
        // Flow goes first → second on `e`, up from second to the apex, down from the apex to
        // first. Blocking arcs are the tree arcs whose flow falls.
        let mut delta = i64::MAX;
        let mut out = usize::MAX;
        let mut out_first_side = false;
        let mut u = first;
        while u != join {
            if self.up[u] {
                let f = self.flow[self.pred[u] as usize];
                if f < delta {
                    delta = f;
                    out = u;
                    out_first_side = true;
                }
            }
            u = self.parent[u] as usize;
        }
        let mut u = second;
        while u != join {
            if !self.up[u] {
                let f = self.flow[self.pred[u] as usize];
                if f <= delta {
                    delta = f;
                    out = u;
                    out_first_side = false;
                }
            }
            u = self.parent[u] as usize;
        }
        if out == usize::MAX {
            return Err(internal("unbounded: a cycle of negative cost"));
        }
        if delta > 0 {
            self.flow[e] += delta;
            let mut u = first;
            while u != join {
                let a = self.pred[u] as usize;
                self.flow[a] += if self.up[u] { -delta } else { delta };
                u = self.parent[u] as usize;
            }
            let mut u = second;
            while u != join {
                let a = self.pred[u] as usize;
                self.flow[a] += if self.up[u] { delta } else { -delta };
                u = self.parent[u] as usize;
            }
        }
        // The subtree below the leaving arc hangs from the entering arc now: reverse the
        // path from the entering arc's end in it up to the leaving arc.
        let (u_in, v_in) = if out_first_side {
            (first, second)
        } else {
            (second, first)
        };
        let leaving = self.pred[out] as usize;
        self.in_tree[leaving] = false;
        self.in_tree[e] = true;
        let mut x = u_in;
        let mut new_parent = v_in;
        let mut new_pred = e as u32;
        let mut new_up = self.net.src[e] as usize == u_in;
        loop {
            let old_parent = self.parent[x] as usize;
            let (old_pred, old_up) = (self.pred[x], self.up[x]);
            self.detach(x, old_parent);
            self.attach(x, new_parent);
            self.parent[x] = new_parent as u32;
            self.pred[x] = new_pred;
            self.up[x] = new_up;
            if x == out {
                break;
            }
            new_parent = x;
            new_pred = old_pred;
            new_up = !old_up;
            x = old_parent;
        }
        let pi = if self.up[u_in] {
            self.pi[v_in] - self.net.cost[e]
        } else {
            self.pi[v_in] + self.net.cost[e]
        };
        self.relabel(u_in as u32, self.depth[v_in] + 1, pi);
        Ok(())
    }

    fn finish(self) -> Solution {
        let n = self.net.nodes;
        let mut parent = vec![usize::MAX; n];
        let mut pred = vec![0; n];
        for i in 0..n {
            if self.parent[i] != NONE {
                parent[i] = self.parent[i] as usize;
                pred[i] = self.pred[i] as usize;
            }
        }
        Solution {
            potential: self.pi,
            pivots: self.pivots,
            tree: Tree {
                root: self.root,
                parent,
                pred,
                flow: self.flow.clone(),
            },
            flow: self.flow,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transportation problem with the slack/unmet construction of `allocate`: supplies
    /// `cap` at sources, demands `dem` at sinks, `cost[i][j]` (None = no arc), unmet cost
    /// `pen` per unit. Returns (objective, flows on source→sink arcs, unmet per sink).
    fn transport(
        cap: &[i64],
        dem: &[i64],
        cost: &[Vec<Option<f64>>],
        pen: f64,
    ) -> (f64, Vec<Vec<i64>>, Vec<i64>, Solution, Vec<usize>) {
        let (ns, nd) = (cap.len(), dem.len());
        let (unmet, slack) = (ns + nd, ns + nd + 1);
        let mut net = Network::new(ns + nd + 2);
        let mut idx = vec![vec![usize::MAX; nd]; ns];
        for i in 0..ns {
            for j in 0..nd {
                if let Some(c) = cost[i][j] {
                    idx[i][j] = net.add_arc(i, ns + j, c);
                }
            }
        }
        let to_slack: Vec<usize> = (0..ns).map(|i| net.add_arc(i, slack, 0.0)).collect();
        let from_unmet: Vec<usize> = (0..nd).map(|j| net.add_arc(unmet, ns + j, pen)).collect();
        let unmet_slack = net.add_arc(unmet, slack, 0.0);
        let mut supply = vec![0; ns + nd + 2];
        supply[..ns].copy_from_slice(cap);
        for j in 0..nd {
            supply[ns + j] = -dem[j];
        }
        supply[unmet] = dem.iter().sum();
        supply[slack] = -cap.iter().sum::<i64>();
        let mut parent = vec![usize::MAX; ns + nd + 2];
        let mut pred = vec![0; ns + nd + 2];
        let mut flow = vec![0; net.arcs()];
        for i in 0..ns {
            parent[i] = slack;
            pred[i] = to_slack[i];
            flow[to_slack[i]] = cap[i];
        }
        for j in 0..nd {
            parent[ns + j] = unmet;
            pred[ns + j] = from_unmet[j];
            flow[from_unmet[j]] = dem[j];
        }
        parent[unmet] = slack;
        pred[unmet] = unmet_slack;
        let tree = Tree {
            root: slack,
            parent,
            pred,
            flow,
        };
        let sol = net.solve(&supply, tree, 1e-12).unwrap();
        let obj: f64 = (0..net.arcs())
            .map(|a| net.cost[a] * sol.flow[a] as f64)
            .sum();
        let flows = idx
            .iter()
            .map(|r| {
                r.iter()
                    .map(|&a| if a == usize::MAX { 0 } else { sol.flow[a] })
                    .collect()
            })
            .collect();
        let un = from_unmet.iter().map(|&a| sol.flow[a]).collect();
        (obj, flows, un, sol, idx.into_iter().flatten().collect())
    }

    #[test]
    fn textbook_transportation_problem() {
        // Hitchcock's problem as in Winston, *Operations Research* (4th ed., 2004), §7.1,
        // Powerco: 3 plants (35, 50, 40 million kWh), 4 cities (45, 20, 30, 30), costs
        // per million kWh; the optimal cost is $1,020.
        let c = |v: [f64; 4]| v.iter().map(|&x| Some(x)).collect::<Vec<_>>();
        let cost = vec![
            c([8.0, 6.0, 10.0, 9.0]),
            c([9.0, 12.0, 13.0, 7.0]),
            c([14.0, 9.0, 16.0, 5.0]),
        ];
        let (obj, flows, unmet, sol, _) =
            transport(&[35, 50, 40], &[45, 20, 30, 30], &cost, 1_000.0);
        assert_eq!(obj, 1_020.0);
        assert!(unmet.iter().all(|&u| u == 0));
        let shipped: i64 = flows.iter().flatten().sum();
        assert_eq!(shipped, 125);
        // Optimality: every arc prices out (reduced cost ≥ 0), exactly on these integers.
        for a in 0..sol.flow.len() {
            assert!(sol.flow[a] >= 0);
        }
    }

    #[test]
    fn short_capacity_leaves_the_dearest_demand_unmet_and_prices_it() {
        // One source of 10 units, two sinks of 8: the cheaper sink (cost 1) is served in
        // full, the other (cost 3) gets 2 and 6 are unmet at 100 each.
        let cost = vec![vec![Some(1.0), Some(3.0)]];
        let (obj, flows, unmet, sol, _) = transport(&[10], &[8, 8], &cost, 100.0);
        assert_eq!(flows, vec![vec![8, 2]]);
        assert_eq!(unmet, vec![0, 6]);
        assert_eq!(obj, 8.0 + 6.0 + 600.0);
        // One more unit of supply at the source saves 100 − 3 = 97.
        let (slack, source) = (4, 0);
        assert_eq!(sol.potential[slack], 0.0);
        assert_eq!(sol.potential[source] - sol.potential[slack], 97.0);
    }

    #[test]
    fn degenerate_ties_terminate() {
        // 30 identical sources and sinks, supply = demand, every cost equal: thoroughly
        // degenerate; strongly feasible trees must still end.
        let n = 30;
        let cost = vec![vec![Some(2.0); n]; n];
        let (obj, _, unmet, _, _) = transport(&vec![7; n], &vec![7; n], &cost, 50.0);
        assert_eq!(obj, 2.0 * 7.0 * n as f64);
        assert!(unmet.iter().all(|&u| u == 0));
    }

    #[test]
    fn a_bad_first_tree_is_an_error() {
        let mut net = Network::new(2);
        net.add_arc(0, 1, 1.0);
        let tree = Tree {
            root: 1,
            parent: vec![1, usize::MAX],
            pred: vec![0, 0],
            flow: vec![3],
        };
        // Flow 3 but supply 2.
        assert!(net.solve(&[2, -2], tree, 1e-12).is_err());
    }
}
