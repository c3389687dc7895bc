//! Dense matrix inversion for the Leontief engine: recursive, blocked Gauss–Jordan
//! elimination with partial pivoting, in place, its level-3 work done by
//! [`matrixmultiply::dgemm`] on tiles computed in parallel with rayon.
//!
//! # Algorithm
//!
//! Gauss–Jordan elimination (GJE) inverts M in place: step j swaps the row with the
//! largest |m_ij|, i ≥ j, into row j (partial pivoting), divides row j by the pivot and
//! subtracts multiples of it from every other row, then stores in column j the column of
//! the elementary transform E_j it applied (the "in-place" trick of Numerical Recipes'
//! `gaussj`). After n steps the array holds E = E_{n−1}···E_0 with E·P·M = I, so
//! M⁻¹ = E·P: the columns are unscrambled by undoing the row swaps in reverse order. It
//! costs 2n³ flops, like LU followed by LAPACK's `getri` (and less than solving
//! M·X = I, 8n³/3), and Higham shows its inverse is as accurate as the LU-based ones
//! (*Accuracy and Stability of Numerical Algorithms*, 2nd ed., SIAM 2002, §14.4).
//!
//! Blocked form (Quintana-Ortí, Quintana-Ortí, Sun & van de Geijn, "A note on parallel
//! matrix inversion", *SIAM J. Sci. Comput.* 22(5), 2001; the same delayed-update idea as
//! the blocked LU of Golub & Van Loan, *Matrix Computations*, 4th ed., §3.2.9–3.2.11):
//! the steps of a panel of columns X only touch the other columns C through the product
//! E_X of the panel's transforms, which the panel itself stores (n × |X|, identity
//! elsewhere). So C is brought up to date in one matrix product after the panel:
//! ```text
//!      C ← P_X C;   T = C[X, :];   C[X, :] = E_X[X, X]·T;   C[rest, :] += E_X[rest, X]·T
//! ```
//! Here the panels are formed recursively: a block of columns [x0, x1) is split in
//! halves X | R; X is eliminated, R updated by E_X, R eliminated, X updated by E_R. The
//! product is then E_R·(P_R E_X P_Rᵀ) on [x0, x1), exactly what that block stores, so
//! its parent updates its own other half the same way; blocks of at most [`BASE`]
//! columns, and whole matrices of at most [`SMALL`] rows, are eliminated column by
//! column (axpy on contiguous columns). Every
//! update is a GEMM: n³ flops at the top level, half that at the next, and so on.
//!
//! # Determinism
//!
//! An update's output is cut into fixed tiles (at most [`ROW_TILE`] rows ×
//! [`COL_TILE`] columns, independent of the number of threads) and each tile is one
//! `dgemm` call by one rayon task, reading only the panel and a copy of C[X, :]: no
//! reduction crosses tasks, so the result is bit-identical whatever the thread count
//! (including one, or no pool at all).

use matrixmultiply::dgemm;
use nalgebra::DMatrix;
use rayon::prelude::*;

/// Widest block eliminated column by column; wider blocks are split in two.
pub const BASE: usize = 32;
/// Up to this size the whole matrix is eliminated column by column (no GEMM, no
/// recursion): faster for small tables, where the GEMM calls cost more than they save.
pub const SMALL: usize = 64;
/// Rows of an output tile of a parallel update.
pub const ROW_TILE: usize = 256;
/// Columns of an output tile of a parallel update.
pub const COL_TILE: usize = 128;
/// Below this many flops an update runs its tiles on the calling thread (same tiles,
/// same result: only the scheduling changes).
const PARALLEL_FLOPS: usize = 1 << 22;

/// The matrix could not be inverted: no usable pivot at elimination step `column`
/// (every candidate is 0, below n·ε·max|m_ij|, or not finite).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Singular {
    /// Elimination step (0-based column) where the pivot failed.
    pub column: usize,
}

/// Invert the square matrix `m` in place by blocked Gauss–Jordan elimination with
/// partial pivoting (see the module doc for the algorithm and its references).
///
/// On success `m` holds M⁻¹. A pivot whose magnitude is at most n·ε·max|m_ij| (or that is
/// not finite) is taken as singularity; `m` is then left in an unspecified state.
///
/// # Errors
/// [`Singular`] naming the elimination step whose pivot failed.
///
/// # Panics
/// When `m` is not square.
pub fn invert_in_place(m: &mut DMatrix<f64>) -> Result<(), Singular> {
    let n = m.nrows();
    assert_eq!(n, m.ncols(), "invert_in_place: the matrix must be square");
    if n == 0 {
        return Ok(());
    }
    let scale = m.iter().fold(0.0_f64, |acc, v| acc.max(v.abs()));
    if !scale.is_finite() || scale == 0.0 {
        return Err(Singular { column: 0 });
    }
    let tolerance = scale * f64::EPSILON * n as f64;
    let mut pivots = vec![0usize; n];
    let data = Mat {
        ptr: m.as_mut_slice().as_mut_ptr(),
        n,
    };
    // SAFETY: `data` points at the n × n column-major buffer of `m`, borrowed mutably for
    // the whole call; every access below stays within it (see `Mat`).
    unsafe {
        if n <= SMALL {
            eliminate_columns(data, 0, n, &mut pivots, tolerance)?;
        } else {
            eliminate(data, 0, n, &mut pivots, tolerance)?;
        }
    }
    // M⁻¹ = E·P: undo the row swaps on the columns, last one first.
    for j in (0..n).rev() {
        if pivots[j] != j {
            m.swap_columns(j, pivots[j]);
        }
    }
    Ok(())
}

/// The n × n column-major matrix being inverted, as a raw pointer so that parallel tasks
/// can write disjoint tiles and read other columns of the same buffer.
#[derive(Clone, Copy)]
struct Mat {
    ptr: *mut f64,
    n: usize,
}

// SAFETY: tasks only ever write disjoint tiles and read columns nobody writes meanwhile
// (see `update`).
unsafe impl Send for Mat {}
unsafe impl Sync for Mat {}

impl Mat {
    /// Pointer to entry (i, j); i, j < n.
    #[inline]
    unsafe fn at(self, i: usize, j: usize) -> *mut f64 {
        self.ptr.add(i + j * self.n)
    }

    /// Column j as a slice; the caller guarantees nothing else aliases it mutably.
    #[inline]
    unsafe fn column<'a>(self, j: usize) -> &'a mut [f64] {
        std::slice::from_raw_parts_mut(self.at(0, j), self.n)
    }
}

/// Eliminate the columns [x0, x1) (all n rows), leaving the other columns untouched
/// (pending); afterwards the block stores its transform E and `pivots[x0..x1]` its row
/// swaps, which have only been applied to the block's own columns.
unsafe fn eliminate(
    m: Mat,
    x0: usize,
    x1: usize,
    pivots: &mut [usize],
    tolerance: f64,
) -> Result<(), Singular> {
    let width = x1 - x0;
    if width <= BASE {
        return eliminate_columns(m, x0, x1, pivots, tolerance);
    }
    // Split near the middle, on a multiple of the GEMM micro-kernel height (8 rows).
    let half = width / 2;
    let xm = x0 + if half >= 8 { half - half % 8 } else { half };
    eliminate(m, x0, xm, pivots, tolerance)?;
    swap_rows(m, &pivots[x0..xm], x0, xm, x1);
    update(m, x0, xm, xm, x1);
    eliminate(m, xm, x1, pivots, tolerance)?;
    swap_rows(m, &pivots[xm..x1], xm, x0, xm);
    update(m, xm, x1, x0, xm);
    Ok(())
}

/// Unblocked Gauss–Jordan on the columns [x0, x1), column by column: compiled for
/// AVX2 when the CPU has it (4 doubles per instruction in the axpy loops), else for the
/// baseline target. Same operations in the same order either way (no FMA contraction).
unsafe fn eliminate_columns(
    m: Mat,
    x0: usize,
    x1: usize,
    pivots: &mut [usize],
    tolerance: f64,
) -> Result<(), Singular> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return eliminate_columns_avx2(m, x0, x1, pivots, tolerance);
    }
    eliminate_columns_generic(m, x0, x1, pivots, tolerance)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn eliminate_columns_avx2(
    m: Mat,
    x0: usize,
    x1: usize,
    pivots: &mut [usize],
    tolerance: f64,
) -> Result<(), Singular> {
    eliminate_columns_generic(m, x0, x1, pivots, tolerance)
}

#[inline(always)]
unsafe fn eliminate_columns_generic(
    m: Mat,
    x0: usize,
    x1: usize,
    pivots: &mut [usize],
    tolerance: f64,
) -> Result<(), Singular> {
    for j in x0..x1 {
        let (p, best) =
            m.column(j)
                .iter()
                .enumerate()
                .skip(j)
                .fold((j, -1.0_f64), |(p, best), (i, v)| {
                    if v.abs() > best {
                        (i, v.abs())
                    } else {
                        (p, best)
                    }
                });
        if !(best > tolerance && best.is_finite()) {
            return Err(Singular { column: j });
        }
        pivots[j] = p;
        if p != j {
            for c in x0..x1 {
                m.column(c).swap(j, p);
            }
        }
        let pivot_column: &[f64] = m.column(j);
        let d = 1.0 / pivot_column[j];
        for c in (x0..x1).filter(|&c| c != j) {
            let column = m.column(c);
            let t = column[j] * d;
            if t != 0.0 {
                for (x, g) in column.iter_mut().zip(pivot_column) {
                    *x -= t * g;
                }
            }
            column[j] = t;
        }
        let pivot_column = m.column(j);
        for g in pivot_column.iter_mut() {
            *g *= -d;
        }
        pivot_column[j] = d;
    }
    Ok(())
}

/// Apply the row swaps `swaps` (step x0 + k swapped rows x0 + k and `swaps[k]`, in
/// order) to the columns [c0, c1).
unsafe fn swap_rows(m: Mat, swaps: &[usize], x0: usize, c0: usize, c1: usize) {
    if swaps.iter().enumerate().all(|(k, &p)| p == x0 + k) {
        return;
    }
    let apply = |c: usize| {
        let column = m.column(c);
        for (k, &p) in swaps.iter().enumerate() {
            column.swap(x0 + k, p);
        }
    };
    if (c1 - c0) * m.n >= PARALLEL_FLOPS / 8 {
        (c0..c1).into_par_iter().for_each(apply);
    } else {
        (c0..c1).for_each(apply);
    }
}

/// One output tile of an update: rows [r0, r1), columns [c0, c1); `diagonal` when the
/// rows are the panel's own (overwritten, not accumulated).
#[derive(Clone, Copy)]
struct Tile {
    r0: usize,
    r1: usize,
    c0: usize,
    c1: usize,
    diagonal: bool,
}

/// Bring the columns [c0, c1) up to date with the transform stored in the panel
/// [s0, s1) (rows already swapped): C[S, :] = E[S, S]·T and C[rest, :] += E[rest, S]·T
/// with T = C[S, :] before the update.
unsafe fn update(m: Mat, s0: usize, s1: usize, c0: usize, c1: usize) {
    let n = m.n;
    let k = s1 - s0;
    let width = c1 - c0;
    let mut t = vec![0.0; k * width];
    for (c, dst) in (c0..c1).zip(t.chunks_exact_mut(k)) {
        dst.copy_from_slice(&m.column(c)[s0..s1]);
    }
    let mut tiles = Vec::new();
    for (r0, r1, diagonal) in [(0, s0, false), (s0, s1, true), (s1, n, false)] {
        for rt in (r0..r1).step_by(ROW_TILE) {
            for ct in (c0..c1).step_by(COL_TILE) {
                tiles.push(Tile {
                    r0: rt,
                    r1: (rt + ROW_TILE).min(r1),
                    c0: ct,
                    c1: (ct + COL_TILE).min(c1),
                    diagonal,
                });
            }
        }
    }
    let t = &t;
    let run = |tile: &Tile| {
        // SAFETY: the tile writes rows [r0, r1) of columns [c0, c1), disjoint from every
        // other tile; it reads the panel columns [s0, s1) (not written by any tile) and
        // `t`. Strides are those of column-major buffers of leading dimension n and k.
        dgemm(
            tile.r1 - tile.r0,
            k,
            tile.c1 - tile.c0,
            1.0,
            m.at(tile.r0, s0),
            1,
            n as isize,
            t.as_ptr().add((tile.c0 - c0) * k),
            1,
            k as isize,
            if tile.diagonal { 0.0 } else { 1.0 },
            m.at(tile.r0, tile.c0),
            1,
            n as isize,
        );
    };
    if 2 * n * k * width >= PARALLEL_FLOPS {
        tiles.par_iter().for_each(run);
    } else {
        tiles.iter().for_each(run);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_matrices_match_nalgebra() {
        for n in [1, 2, 3, 5, 8, 15, 16, 17, 33, 64, 100] {
            let m = DMatrix::from_fn(n, n, |i, j| {
                let x = ((i * 31 + j * 17) % 23) as f64 / 23.0 - 0.5;
                if i == j {
                    x + 3.0
                } else {
                    x
                }
            });
            let expected = m.clone().lu().try_inverse().unwrap();
            let mut inv = m.clone();
            invert_in_place(&mut inv).unwrap();
            let err = (&inv - &expected).amax();
            assert!(err < 1e-12, "n = {n}: {err}");
        }
    }

    #[test]
    fn pivoting_handles_a_zero_diagonal() {
        // A permutation-like matrix needs row swaps at every step.
        for n in [2, 7, 20, 40] {
            let m = DMatrix::from_fn(n, n, |i, j| {
                if (i + 1) % n == j {
                    2.0 + i as f64
                } else if i == j {
                    0.0
                } else {
                    ((i * 7 + j * 3) % 5) as f64 * 0.01
                }
            });
            let mut inv = m.clone();
            invert_in_place(&mut inv).unwrap();
            let residual = (&m * &inv - DMatrix::identity(n, n)).amax();
            assert!(residual < 1e-12, "n = {n}: {residual}");
        }
    }

    #[test]
    fn general_matrices_need_pivoting_and_still_invert() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for n in [1, 9, BASE + 3, 70, ROW_TILE + 9] {
            let m = DMatrix::from_fn(n, n, |_, _| rng.random::<f64>() * 2.0 - 1.0);
            let mut inv = m.clone();
            invert_in_place(&mut inv).unwrap();
            let residual = (&m * &inv - DMatrix::identity(n, n)).amax();
            let expected = m.clone().lu().try_inverse().unwrap();
            let gap = (&inv - &expected).amax() / expected.amax();
            assert!(
                residual < 1e-10 && gap < 1e-10,
                "n = {n}: {residual:e} {gap:e}"
            );
        }
    }

    #[test]
    fn exactly_singular_is_reported_with_its_column() {
        let mut m = DMatrix::from_fn(30, 30, |i, j| if i == j { 2.0 } else { 0.1 });
        let row = m.row(3).into_owned();
        m.set_row(20, &row); // two equal rows
        assert!(invert_in_place(&mut m).is_err());
        assert_eq!(
            invert_in_place(&mut DMatrix::zeros(4, 4)),
            Err(Singular { column: 0 })
        );
        let mut empty = DMatrix::<f64>::zeros(0, 0);
        assert_eq!(invert_in_place(&mut empty), Ok(()));
    }
}
