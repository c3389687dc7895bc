//! The French economy from INSEE's national accounts (base 2014), A38 level, 2015–2019.
//!
//! # What the files are
//! `data/france/economy/` holds INSEE's *tableau des entrées-sorties de production
//! domestique au prix de base, niveau 38* (TES, "Source : Insee", Licence Ouverte / Etalab
//! 2.0), one year per file set, in millions of euros:
//! - `tes_dom_YYYY_intermediate_domestic_symmetric.csv`: domestic intermediate uses U,
//!   product (row) × branch (column), 37 × 37;
//! - `tes_dom_YYYY_resources_domestic_symmetric.csv`: domestic output at basic prices,
//!   product (row) × branch (column): the make table transposed, R = Vᵀ. It is almost
//!   diagonal: a few branches (agriculture making food, government and non-market
//!   services making secondary products) have off-diagonal entries;
//! - `tes_dom_YYYY_final_demand_domestic.csv`: final uses of domestic products, among them
//!   household consumption `P3_menages`;
//! - `InseeDataCPEB_YYYY.csv` (2015, 2016, 2018, 2019): branch accounts, gross value added
//!   = NVA + CFC;
//! - `a38_satellites.csv`: employment (persons) and compensation of employees (EUR) by
//!   branch, 2019, INSEE figures where found and labelled assumptions elsewhere (see its
//!   `*_source` columns and `data/france/economy/README.md`).
//!
//! # The symmetric table: Eurostat model B
//! Because U is product × *branch* and R has off-diagonal entries, the product × product
//! table is built under the **industry-technology assumption**, model B of the Eurostat
//! *Manual of Supply, Use and Input-Output Tables* (2008, ch. 11): with g the branch
//! outputs (column sums of R), q the product outputs (row sums of R),
//! B = U·ĝ⁻¹ (input structure of each branch) and D = Rᵀ·q̂⁻¹ (market shares: the part of
//! product j made by branch k), A = B·D, so the flows are Z = A·q̂ = U·ĝ⁻¹·Rᵀ and the output
//! is x = q. A branch's satellites per unit of output go to the products it makes the same
//! way: s_p = (s/g)ᵀ·Rᵀ. Model B is the usual choice (Eurostat's and INSEE's) because it
//! never gives negative coefficients, and it fits here: secondary products are a small
//! share of output (CB's branch output 17,263 M€ vs product output 17,332 M€ in 2019), so
//! the technology assumption matters little: CB's Type I output multiplier is 1.635 under
//! model B, 1.633 taking U as product × product over q, 1.642 over g.

use std::sync::OnceLock;

use nalgebra::{DMatrix, DVector};

use super::io_table::IoTable;
use super::readers::{content_lines, record};
use crate::data::read::{sniff_separator, split_line};
use crate::data::schema::parse_number;
use crate::error::{Error, Result};

/// Years bundled.
pub const YEARS: std::ops::RangeInclusive<i32> = 2015..=2019;
/// Year of `Economy.france()` without argument.
pub const DEFAULT_YEAR: i32 = 2019;
const EUR_PER_MILLION: f64 = 1e6;

/// INSEE A38 codes (37 branches: `CZ` does not exist at this level) with their short
/// French names.
pub const A38: [(&str, &str); 37] = [
    ("AZ", "Agriculture, sylviculture et pêche"),
    ("BZ", "Industries extractives"),
    ("CA", "Industries alimentaires, boissons, tabac"),
    ("CB", "Textiles, habillement, cuir"),
    ("CC", "Bois, papier, imprimerie"),
    ("CD", "Cokéfaction et raffinage"),
    ("CE", "Industrie chimique"),
    ("CF", "Industrie pharmaceutique"),
    ("CG", "Caoutchouc, plastique, minéraux non métalliques"),
    ("CH", "Métallurgie et produits métalliques"),
    ("CI", "Produits informatiques, électroniques et optiques"),
    ("CJ", "Équipements électriques"),
    ("CK", "Machines et équipements n.c.a."),
    ("CL", "Matériels de transport"),
    (
        "CM",
        "Autres industries manufacturières, réparation, installation",
    ),
    ("DZ", "Électricité, gaz, vapeur"),
    ("EZ", "Eau, assainissement, déchets"),
    ("FZ", "Construction"),
    ("GZ", "Commerce, réparation d'automobiles"),
    ("HZ", "Transports et entreposage"),
    ("IZ", "Hébergement et restauration"),
    ("JA", "Édition, audiovisuel et diffusion"),
    ("JB", "Télécommunications"),
    ("JC", "Activités informatiques et services d'information"),
    ("KZ", "Activités financières et d'assurance"),
    ("LZ", "Activités immobilières"),
    (
        "MA",
        "Activités juridiques, comptables, de gestion, d'ingénierie",
    ),
    ("MB", "Recherche-développement scientifique"),
    (
        "MC",
        "Autres activités spécialisées, scientifiques et techniques",
    ),
    ("NZ", "Activités de services administratifs et de soutien"),
    ("OZ", "Administration publique"),
    ("PZ", "Enseignement"),
    ("QA", "Santé humaine"),
    ("QB", "Hébergement médico-social et action sociale"),
    ("RZ", "Arts, spectacles et activités récréatives"),
    ("SZ", "Autres activités de services"),
    ("TZ", "Activités des ménages en tant qu'employeurs"),
];

/// The short French name of an A38 code (`CB` → "Textiles, habillement, cuir").
pub fn branch_name(code: &str) -> Option<&'static str> {
    A38.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// The label `Economy.source` gives the bundled table of `year`.
pub fn source(year: i32) -> String {
    format!(
        "TES INSEE {year}, base 2014, 37 branches (tableau des entrées-sorties de production \
         domestique au prix de base, niveau 38; product × product, industry technology, \
         Eurostat model B)"
    )
}

macro_rules! year_files {
    ($($y:literal),*) => {
        /// (intermediate, resources, final demand) CSV texts of a bundled year.
        fn tes_files(year: i32) -> Option<[&'static str; 3]> {
            match year {
                $($y => Some([
                    include_str!(concat!("../../data/france/economy/tes_dom_", $y,
                        "_intermediate_domestic_symmetric.csv")),
                    include_str!(concat!("../../data/france/economy/tes_dom_", $y,
                        "_resources_domestic_symmetric.csv")),
                    include_str!(concat!("../../data/france/economy/tes_dom_", $y,
                        "_final_demand_domestic.csv")),
                ]),)*
                _ => None,
            }
        }
    };
}
year_files!(2015, 2016, 2017, 2018, 2019);

/// Branch accounts (CPEB) bundled: `PRD;IC;CFC;NVA` by branch, M€.
fn cpeb(year: i32) -> Option<&'static str> {
    match year {
        2015 => Some(include_str!(
            "../../data/france/economy/InseeDataCPEB_2015.csv"
        )),
        2016 => Some(include_str!(
            "../../data/france/economy/InseeDataCPEB_2016.csv"
        )),
        2018 => Some(include_str!(
            "../../data/france/economy/InseeDataCPEB_2018.csv"
        )),
        2019 => Some(include_str!(
            "../../data/france/economy/InseeDataCPEB_2019.csv"
        )),
        _ => None,
    }
}

/// Employment and compensation by A38 branch, 2019 (`a38_satellites.csv`).
pub const SATELLITES_CSV: &str = include_str!("../../data/france/economy/a38_satellites.csv");
/// Its path in the repository (error messages).
pub const SATELLITES_FILE: &str = "data/france/economy/a38_satellites.csv";
/// The 2019 raw INSEE sheet, as stored (tests and the `read_insee_tes` docs).
pub const RAW_SHEET_2019_CSV: &str =
    include_str!("../../data/france/economy/tes_dom_2019_raw_sheet.csv");

/// INSEE's domestic TES of one year as read: product × branch uses and make, product
/// household consumption. Money in EUR.
#[derive(Debug, Clone, PartialEq)]
pub struct DomesticTes {
    /// File name(s), for messages and the table's source.
    pub source: String,
    /// A38 codes, the same for products (rows) and branches (columns).
    pub codes: Vec<String>,
    /// Domestic intermediate uses U, product × branch, EUR.
    pub uses: DMatrix<f64>,
    /// Domestic output R (make table transposed), product × branch, EUR.
    pub make: DMatrix<f64>,
    /// Household final consumption of domestic products (P3 ménages), EUR.
    pub households: DVector<f64>,
}

/// Satellite vectors by *branch* (EUR or persons), any of them optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BranchSatellites {
    /// Persons.
    pub employment: Option<DVector<f64>>,
    /// Compensation of employees (D1), EUR.
    pub compensation: Option<DVector<f64>>,
    /// Gross value added (B1G), EUR.
    pub value_added: Option<DVector<f64>>,
}

impl DomesticTes {
    /// Branch outputs g (column sums of the make table), EUR.
    pub fn branch_output(&self) -> DVector<f64> {
        DVector::from_iterator(self.make.ncols(), self.make.column_iter().map(|c| c.sum()))
    }

    /// Product outputs q (row sums of the make table), EUR.
    pub fn product_output(&self) -> DVector<f64> {
        DVector::from_iterator(self.make.nrows(), self.make.row_iter().map(|r| r.sum()))
    }

    /// A branch vector moved to products by model B: s_p[j] = Σ_k s_k / g_k · R[j, k].
    pub fn to_products(&self, by_branch: &DVector<f64>) -> DVector<f64> {
        let g = self.branch_output();
        let per_unit = DVector::from_iterator(
            g.len(),
            g.iter()
                .zip(by_branch.iter())
                .map(|(g, s)| if *g > 0.0 { s / g } else { 0.0 }),
        );
        &self.make * per_unit
    }

    /// The product × product table (Eurostat model B, see the module doc) with household
    /// consumption and the branch satellites moved to products.
    ///
    /// # Errors
    /// The checks of [`IoTable::named`] (naming the product) and of its `with_*` methods.
    pub fn table(&self, source: &str, satellites: &BranchSatellites) -> Result<IoTable> {
        let g = self.branch_output();
        let n = self.codes.len();
        // Z = U ĝ⁻¹ Rᵀ
        let mut scaled = self.uses.clone();
        for (k, mut column) in scaled.column_iter_mut().enumerate() {
            let gk = g[k];
            column.scale_mut(if gk > 0.0 { 1.0 / gk } else { 0.0 });
        }
        let flows = &scaled * self.make.transpose();
        debug_assert_eq!(flows.nrows(), n);
        let mut table = IoTable::named(source, self.codes.clone(), flows, self.product_output())?
            .with_household_consumption(self.households.clone())?;
        if let Some(v) = &satellites.employment {
            table = table.with_employment(self.to_products(v))?;
        }
        if let Some(v) = &satellites.compensation {
            table = table.with_compensation(self.to_products(v))?;
        }
        if let Some(v) = &satellites.value_added {
            table = table.with_value_added(self.to_products(v))?;
        }
        Ok(table)
    }
}

/// Cells of a `product,<columns>` CSV keyed by product code, with line numbers.
struct CodeTable {
    file: String,
    header: Vec<String>,
    rows: Vec<(usize, String, Vec<String>)>,
}

impl CodeTable {
    fn parse(file: &str, text: &str) -> Result<Self> {
        let mut lines = content_lines(text);
        let Some((_, head)) = lines.next() else {
            return Err(Error::schema(file, None, None, None, "the file is empty"));
        };
        let sep = sniff_separator(head) as char;
        let header: Vec<String> = split_line(head, sep)
            .into_iter()
            .map(|h| h.trim().to_owned())
            .collect();
        if !header
            .first()
            .is_some_and(|h| h.eq_ignore_ascii_case("product") || h.eq_ignore_ascii_case("branch"))
        {
            return Err(Error::schema(
                file,
                Some(1),
                header.first().map(String::as_str),
                None,
                "the first column must be `product` (or `branch`): INSEE A38 codes",
            ));
        }
        let mut rows = Vec::new();
        for (line, l) in lines {
            let cells = record(file, line, l, sep, header.len())?;
            let code = cells[0].trim().to_owned();
            if rows.iter().any(|(_, c, _)| *c == code) {
                return Err(Error::schema(
                    file,
                    Some(line),
                    Some("product"),
                    Some(&code),
                    "the product appears twice",
                ));
            }
            rows.push((line, code, cells));
        }
        Ok(CodeTable {
            file: file.to_owned(),
            header,
            rows,
        })
    }

    fn column(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::schema(&self.file, Some(1), Some(name), None, "column missing"))
    }

    /// The value (M€ × 10⁶ = EUR) of product `code`, column `c`; empty = 0.
    fn amount(&self, code: &str, c: usize) -> Result<f64> {
        let (line, _, cells) = self
            .rows
            .iter()
            .find(|(_, p, _)| p == code)
            .ok_or_else(|| {
                Error::schema(
                    &self.file,
                    None,
                    Some("product"),
                    Some(code),
                    "no row for this product",
                )
            })?;
        million_eur(&self.file, *line, &self.header[c], &cells[c])
    }
}

/// A cell in millions of euros, as EUR; an empty cell is 0. Errors name `file`, `line`
/// and `column`.
fn million_eur(file: &str, line: usize, column: &str, cell: &str) -> Result<f64> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(0.0);
    }
    parse_number(cell)
        .filter(|v| v.is_finite())
        .map(|v| v * EUR_PER_MILLION)
        .ok_or_else(|| {
            Error::schema(
                file,
                Some(line),
                Some(column),
                Some(cell),
                "expected an amount in millions of euros",
            )
        })
}

/// Read INSEE's three domestic symmetric files (`tes_dom_YYYY_intermediate_domestic_
/// symmetric.csv`, `..._resources_domestic_symmetric.csv`, `..._final_demand_domestic.csv`).
///
/// Layout: first column `product` (A38 codes; a `TOTAL` row is ignored); the intermediate
/// and resources files then have one column per branch (same codes, same order) and a
/// total column (`TOTAL_IC`, `TOTAL_RESS_DOM`); the final-demand file has `label` and
/// `P3_menages`. Millions of euros; an empty cell is 0.
///
/// # Errors
/// [`Error::Schema`] naming the file, line and column of a missing column, a missing or
/// repeated product, branch columns that differ between the two matrices, or a cell that
/// is not a number.
pub fn read_domestic_symmetric(
    files: [(&str, &str); 3],
) -> Result<(DomesticTes, Vec<(String, String)>)> {
    let [(fi, ti), (fr, tr), (ff, tf)] = files;
    let uses = CodeTable::parse(fi, ti)?;
    let make = CodeTable::parse(fr, tr)?;
    let finals = CodeTable::parse(ff, tf)?;
    let total_ic = uses.column("TOTAL_IC")?;
    let codes: Vec<String> = uses.header[1..total_ic].to_vec();
    let total_r = make.column("TOTAL_RESS_DOM")?;
    if make.header[1..total_r] != codes[..] {
        return Err(Error::schema(
            fr,
            Some(1),
            None,
            None,
            format!(
                "the branch columns must be those of `{fi}` in the same order: {}",
                codes.join(", ")
            ),
        ));
    }
    let n = codes.len();
    let mut u = DMatrix::zeros(n, n);
    let mut r = DMatrix::zeros(n, n);
    for (i, code) in codes.iter().enumerate() {
        for j in 0..n {
            u[(i, j)] = uses.amount(code, 1 + j)?;
            r[(i, j)] = make.amount(code, 1 + j)?;
        }
    }
    let p3 = finals.column("P3_menages")?;
    let households = codes
        .iter()
        .map(|c| finals.amount(c, p3))
        .collect::<Result<Vec<f64>>>()?;
    let label = finals.column("label").ok();
    let names = codes
        .iter()
        .map(|c| {
            let name = label
                .and_then(|k| {
                    finals
                        .rows
                        .iter()
                        .find(|(_, p, _)| p == c)
                        .map(|r| r.2[k].clone())
                })
                .unwrap_or_default();
            (c.clone(), name)
        })
        .collect();
    Ok((
        DomesticTes {
            source: fi.to_owned(),
            codes,
            uses: u,
            make: r,
            households: DVector::from_vec(households),
        },
        names,
    ))
}

/// Read INSEE's whole domestic TES sheet as published (saved as CSV): three blocks side
/// by side, *tableau des ressources domestiques symétrique*, *tableau des entrées
/// intermédiaires domestiques symétrique*, *tableau des emplois finals domestiques*.
///
/// Layout (as `tes_dom_2019_raw_sheet.csv`): title rows; a header row with `BRANCHES`
/// before each of the first two blocks' branch codes and `Ménages` over the households'
/// column of the third; one row per product with its label, its code, the block's cells,
/// then the same for the next blocks; a `TOTAL` row and notes, ignored. Amounts in millions
/// of euros with spaces between thousands.
///
/// # Errors
/// [`Error::Schema`] naming the line and column of a missing header, differing branch
/// codes, a missing or repeated product, or a cell that is not a number.
pub fn read_raw_sheet(file: &str, text: &str) -> Result<DomesticTes> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let sep = lines
        .iter()
        .find(|l| l.contains("BRANCHES"))
        .map_or(',', |l| sniff_separator(l) as char);
    let grid: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            split_line(l, sep)
                .into_iter()
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect();
    let Some(h) = grid.iter().position(|r| r.iter().any(|c| c == "BRANCHES")) else {
        return Err(Error::schema(
            file,
            None,
            None,
            None,
            "no header row: the branch codes of INSEE's sheet follow a cell `BRANCHES`",
        ));
    };
    let header = &grid[h];
    let starts: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, c)| *c == "BRANCHES")
        .map(|(k, _)| k)
        .collect();
    if starts.len() < 2 {
        return Err(Error::schema(
            file,
            Some(h + 1),
            None,
            None,
            "expected `BRANCHES` before the resources block and before the intermediate-uses block",
        ));
    }
    let block = |start: usize| -> Vec<String> {
        header[start + 1..]
            .iter()
            .take_while(|c| !c.is_empty())
            .cloned()
            .collect()
    };
    let codes = block(starts[0]);
    if codes.is_empty() || block(starts[1]) != codes {
        return Err(Error::schema(
            file,
            Some(h + 1),
            None,
            None,
            "the resources and intermediate-uses blocks must list the same branch codes",
        ));
    }
    let households_col = header
        .iter()
        .position(|c| c.to_lowercase().starts_with("ménages") || c.eq_ignore_ascii_case("menages"))
        .ok_or_else(|| {
            Error::schema(
                file,
                Some(h + 1),
                Some("Ménages"),
                None,
                "no households' column",
            )
        })?;
    let n = codes.len();
    let (mut u, mut r) = (DMatrix::zeros(n, n), DMatrix::zeros(n, n));
    let mut households = DVector::zeros(n);
    let mut seen = vec![false; n];
    let column_name = |k: usize| format!("column {}", k + 1);
    for (line, row) in grid.iter().enumerate().skip(h + 1) {
        let code = row.get(starts[0]).map(String::as_str).unwrap_or_default();
        let Some(i) = codes.iter().position(|c| c == code) else {
            continue;
        };
        if std::mem::replace(&mut seen[i], true) {
            return Err(Error::schema(
                file,
                Some(line + 1),
                Some("code"),
                Some(code),
                "the product appears in two rows",
            ));
        }
        let amount = |k: usize| -> Result<f64> {
            let cell = row.get(k).map(String::as_str).unwrap_or_default();
            million_eur(file, line + 1, &column_name(k), cell)
        };
        for j in 0..n {
            r[(i, j)] = amount(starts[0] + 1 + j)?;
            u[(i, j)] = amount(starts[1] + 1 + j)?;
        }
        households[i] = amount(households_col)?;
    }
    if let Some(i) = seen.iter().position(|s| !s) {
        return Err(Error::schema(
            file,
            None,
            Some("code"),
            Some(&codes[i]),
            "the branch has a column but no product row",
        ));
    }
    Ok(DomesticTes {
        source: file.to_owned(),
        codes,
        uses: u,
        make: r,
        households,
    })
}

/// The three file kinds of INSEE's domestic symmetric layout (`tes_dom_YYYY_<kind>.csv`).
pub const DOMESTIC_KINDS: [&str; 3] = [
    "intermediate_domestic_symmetric",
    "resources_domestic_symmetric",
    "final_demand_domestic",
];

/// Read one of INSEE's domestic layouts from a file's text, or `None` when the text is
/// neither: the whole sheet ([`read_raw_sheet`]: a `BRANCHES` header and the title
/// *ressources domestiques*), or one of the three `tes_dom_YYYY_<kind>.csv` files, whose
/// two siblings `read_sibling` reads (given their path). The table has no employment or
/// compensation (INSEE's TES has none); household consumption is `P3 ménages`.
///
/// # Errors
/// As [`read_raw_sheet`] and [`read_domestic_symmetric`], and whatever `read_sibling`
/// returns for a sibling it cannot read.
pub fn read_domestic_text(
    file: &str,
    text: &str,
    read_sibling: &dyn Fn(&str) -> Result<String>,
) -> Result<Option<IoTable>> {
    let none = BranchSatellites::default();
    if text.contains("BRANCHES") && text.to_uppercase().contains("RESSOURCES DOMESTIQUES") {
        return read_raw_sheet(file, text)?.table(file, &none).map(Some);
    }
    let Some(kind) = DOMESTIC_KINDS
        .iter()
        .find(|k| file.ends_with(&format!("_{k}.csv")))
    else {
        return Ok(None);
    };
    let stem = &file[..file.len() - kind.len() - 5];
    let paths: Vec<String> = DOMESTIC_KINDS
        .iter()
        .map(|k| format!("{stem}_{k}.csv"))
        .collect();
    let texts = paths
        .iter()
        .map(|p| {
            if p == file {
                Ok(text.to_owned())
            } else {
                read_sibling(p)
            }
        })
        .collect::<Result<Vec<String>>>()?;
    let (tes, _) = read_domestic_symmetric([
        (&paths[0], &texts[0]),
        (&paths[1], &texts[1]),
        (&paths[2], &texts[2]),
    ])?;
    tes.table(file, &none).map(Some)
}

/// The INSEE TES of a bundled year, as read.
///
/// # Errors
/// [`Error::Parameter`] named `year` outside 2015–2019; [`Error::Internal`] if a bundled
/// file is broken (a bug).
pub fn domestic_tes(year: i32) -> Result<DomesticTes> {
    let files = tes_files(year).ok_or_else(|| unknown_year(year))?;
    let path = |kind: &str| format!("data/france/economy/tes_dom_{year}_{kind}.csv");
    let (tes, _) = read_domestic_symmetric([
        (&path("intermediate_domestic_symmetric"), files[0]),
        (&path("resources_domestic_symmetric"), files[1]),
        (&path("final_demand_domestic"), files[2]),
    ])
    .map_err(|e| Error::Internal(format!("bundled INSEE table {year}: {e}")))?;
    Ok(tes)
}

fn unknown_year(year: i32) -> Error {
    Error::parameter(
        "year",
        format!(
            "no INSEE table for {year}: the bundled TES covers {}–{}",
            YEARS.start(),
            YEARS.end()
        ),
    )
}

/// Gross value added by branch (EUR) from a CPEB file, in `codes` order.
fn cpeb_value_added(file: &str, text: &str, codes: &[String]) -> Result<DVector<f64>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let head = lines.next().unwrap_or_default();
    let sep = sniff_separator(head) as char;
    let header: Vec<String> = split_line(head, sep);
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| Error::schema(file, Some(1), Some(name), None, "column missing"))
    };
    let (nva, cfc) = (col("NVA")?, col("CFC")?);
    let rows: Vec<Vec<String>> = lines.map(|l| split_line(l, sep)).collect();
    codes
        .iter()
        .map(|code| {
            let row = rows
                .iter()
                .find(|r| r[0].trim() == code)
                .ok_or_else(|| Error::schema(file, None, Some("BRANCH"), Some(code), "no row"))?;
            let v = |k: usize| {
                parse_number(row[k].trim()).ok_or_else(|| {
                    Error::schema(file, None, Some(&header[k]), Some(&row[k]), "not a number")
                })
            };
            Ok((v(nva)? + v(cfc)?) * EUR_PER_MILLION)
        })
        .collect::<Result<Vec<f64>>>()
        .map(DVector::from_vec)
}

/// Employment (persons) and compensation (EUR) by branch, 2019, from `a38_satellites.csv`.
fn satellites_2019(codes: &[String]) -> Result<(DVector<f64>, DVector<f64>)> {
    let table = CodeTable::parse(SATELLITES_FILE, SATELLITES_CSV)?;
    let (e, c) = (table.column("employment")?, table.column("compensation")?);
    let mut employment = Vec::with_capacity(codes.len());
    let mut compensation = Vec::with_capacity(codes.len());
    for code in codes {
        // `amount` scales by 10⁶; the file is in persons and EUR.
        employment.push(table.amount(code, e)? / EUR_PER_MILLION);
        compensation.push(table.amount(code, c)? / EUR_PER_MILLION);
    }
    Ok((
        DVector::from_vec(employment),
        DVector::from_vec(compensation),
    ))
}

/// Branch satellites of a bundled year. Employment and compensation: the 2019 figures
/// scaled by each branch's output, g(year) / g(2019) (assumption: constant output per job
/// in current euros), except CB whose 103,000 jobs (Insee Première 1714, 2015) are kept.
/// Value added: CPEB NVA + CFC; 2017 has no CPEB file here, so its value added is its
/// output × the mean of the 2016 and 2018 ratios of value added to output (assumption).
fn branch_satellites(year: i32, tes: &DomesticTes) -> Result<BranchSatellites> {
    let codes = &tes.codes;
    let g = tes.branch_output();
    let g19 = domestic_tes(DEFAULT_YEAR)?.branch_output();
    let (e19, c19) = satellites_2019(codes)?;
    let cb = codes.iter().position(|c| c == "CB");
    let scale = |v: &DVector<f64>| {
        DVector::from_iterator(
            v.len(),
            (0..v.len()).map(|k| {
                if Some(k) == cb || g19[k] <= 0.0 {
                    v[k]
                } else {
                    v[k] * g[k] / g19[k]
                }
            }),
        )
    };
    let va = |y: i32| -> Result<DVector<f64>> {
        let text = cpeb(y).ok_or_else(|| unknown_year(y))?;
        cpeb_value_added(
            &format!("data/france/economy/InseeDataCPEB_{y}.csv"),
            text,
            codes,
        )
    };
    let value_added = if cpeb(year).is_some() {
        va(year)?
    } else {
        let (v16, v18) = (va(2016)?, va(2018)?);
        let (g16, g18) = (
            domestic_tes(2016)?.branch_output(),
            domestic_tes(2018)?.branch_output(),
        );
        DVector::from_iterator(
            g.len(),
            (0..g.len()).map(|k| {
                let ratio = |v: f64, g: f64| if g > 0.0 { v / g } else { 0.0 };
                g[k] * 0.5 * (ratio(v16[k], g16[k]) + ratio(v18[k], g18[k]))
            }),
        )
    };
    Ok(BranchSatellites {
        employment: Some(scale(&e19)),
        compensation: Some(scale(&c19)),
        value_added: Some(value_added),
    })
}

/// The bundled French table of `year` (2015–2019), product × product, EUR and persons,
/// with employment, compensation, value added and household consumption. Parsed once per
/// year.
///
/// # Errors
/// [`Error::Parameter`] named `year` outside 2015–2019; [`Error::Internal`] if a bundled
/// file is broken (a bug).
pub fn table(year: i32) -> Result<IoTable> {
    static TABLES: [OnceLock<Result<IoTable>>; 5] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    if !YEARS.contains(&year) {
        return Err(unknown_year(year));
    }
    let slot = &TABLES[(year - YEARS.start()) as usize];
    slot.get_or_init(|| {
        let tes = domestic_tes(year)?;
        let satellites = branch_satellites(year, &tes)?;
        tes.table(&source(year), &satellites)
            .map_err(|e| Error::Internal(format!("bundled INSEE table {year}: {e}")))
    })
    .as_ref()
    .cloned()
    .map_err(|e| Error::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::economy::{ModelType, MultiplierKind};

    /// INSEE, TES de production domestique 2019 (tes_dom_2019_*.csv, "Source : Insee"):
    /// domestic output 4,314,969 M€, CB domestic resources 17,332 M€, households 978,677 M€.
    #[test]
    fn insee_2019_totals_are_reproduced() {
        let t = table(2019).unwrap();
        assert_eq!(t.n(), 37);
        let total: f64 = t.output().iter().sum();
        assert!((total - 4_314_969e6).abs() < 1.0, "{total}");
        let cb = t.branch_index("CB").unwrap();
        assert!((t.output()[cb] - 17_332e6).abs() < 1e-3);
        let hh: f64 = t.household_consumption().unwrap().iter().sum();
        assert!((hh - 978_677e6).abs() < 1.0);
        // Satellites moved to products keep their totals (make shares sum to 1).
        let jobs: f64 = t.employment().unwrap().iter().sum();
        assert!((jobs - 28_500_000.0).abs() < 2.0, "{jobs}");
        assert!(t
            .source()
            .contains("TES INSEE 2019, base 2014, 37 branches"));
        assert_eq!(branch_name("CB"), Some("Textiles, habillement, cuir"));
    }

    #[test]
    fn every_year_builds_and_unknown_years_are_refused() {
        for y in YEARS {
            let t = table(y).unwrap();
            assert!(t.model().unwrap().inverse().iter().all(|v| *v >= 0.0));
        }
        let e = table(2014).unwrap_err();
        assert!(matches!(e, Error::Parameter { .. }), "{e}");
        assert!(e.to_string().contains("2015"));
    }

    /// CB's Type I output multiplier, 2019, model B: 1.6353012443567803 by
    /// numpy (`np.linalg.inv(np.eye(37) - U @ diag(1/g) @ R.T @ diag(1/q))`, column sum)
    /// on the shared INSEE files; the orientation figure is "about 1.64".
    #[test]
    fn cb_output_multiplier_matches_numpy() {
        let model = table(2019).unwrap().model().unwrap();
        let m = model
            .multipliers(MultiplierKind::Output, ModelType::TypeI)
            .unwrap();
        let cb = model.branches().iter().position(|b| b == "CB").unwrap();
        assert!(
            (m.total[cb] - 1.635_301_244_356_780_3).abs() < 1e-9,
            "{}",
            m.total[cb]
        );
        assert!(model
            .multipliers(MultiplierKind::Employment, ModelType::TypeII)
            .is_ok());
    }

    #[test]
    fn the_raw_sheet_gives_the_same_table() {
        let raw = read_raw_sheet("tes_dom_2019_raw_sheet.csv", RAW_SHEET_2019_CSV).unwrap();
        let csv = domestic_tes(2019).unwrap();
        assert_eq!(raw.codes, csv.codes);
        assert!((&raw.uses - &csv.uses).amax() < 1e-6);
        assert!((&raw.make - &csv.make).amax() < 1e-6);
        assert!((&raw.households - &csv.households).amax() < 1e-6);
    }

    #[test]
    fn a_bad_cell_is_named_by_file_line_and_column() {
        let bad = RAW_SHEET_2019_CSV.replacen("17 263", "17 2x3", 1);
        let e = read_raw_sheet("raw.csv", &bad).unwrap_err().to_string();
        assert!(e.contains("raw.csv") && e.contains("17 2x3"), "{e}");
        let files = tes_files(2019).unwrap();
        let bad = files[0].replacen("1260.0", "douze", 1);
        let e =
            read_domestic_symmetric([("u.csv", &bad), ("r.csv", files[1]), ("f.csv", files[2])])
                .unwrap_err()
                .to_string();
        assert!(
            e.contains("u.csv") && e.contains("CB") && e.contains("douze"),
            "{e}"
        );
    }
}
