//! The survey's questions as headers: a filled-in questionnaire (`filiere questionnaire`) or
//! a form-tool export has question texts, not column names, as headers. This module matches
//! them to columns ([`label_key`], the labels declared with each column in
//! [`super::tables::WORKSHOPS`], a study file's `[tables.workshops_columns]` mapping) and
//! folds the questionnaire's one yes/no column per product into the `products` list.

use polars::prelude::*;

use crate::error::{Error, Problem, Problems, Result};

use super::read::RawTable;
use super::schema::{normalise, parse_bool, TableSpec};

/// Header of the questionnaire's yes/no column for one product, in French: `Peut fabriquer : polo`.
pub const PRODUCT_PREFIX_FR: &str = "Peut fabriquer";
/// The same in English: `Can make: polo`.
pub const PRODUCT_PREFIX_EN: &str = "Can make";
/// Prefix of a product column in a mapping or a table written by hand: `products:polo`.
pub const PRODUCT_PREFIX: &str = "products";

/// The header of the yes/no column of product `id` in language `lang` (`fr` or `en`).
pub fn product_label(id: &str, lang: &str) -> String {
    match lang {
        "en" => format!("{PRODUCT_PREFIX_EN}: {id}"),
        _ => format!("{PRODUCT_PREFIX_FR} : {id}"),
    }
}

/// A header reduced to what identifies it: letters and digits, lower case, accents removed
/// (`Nombre d’opérateurs` = `nombre d'operateurs` = `NOMBRE D OPERATEURS`).
pub fn label_key(header: &str) -> String {
    normalise(header)
        .chars()
        .map(|c| match c {
            'œ' | 'Œ' => "oe".to_owned(),
            'æ' | 'Æ' => "ae".to_owned(),
            c if c.is_alphanumeric() => c.to_lowercase().collect(),
            _ => String::new(),
        })
        .collect()
}

/// The product a header is the yes/no column of (`Peut fabriquer : polo`, `Can make:
/// polo`, `products:polo`), if it is one.
pub fn product_of(header: &str) -> Option<String> {
    let (prefix, id) = header.rsplit_once(':')?;
    let key = label_key(prefix);
    let id = id.trim().to_lowercase();
    let is_product = [PRODUCT_PREFIX_FR, PRODUCT_PREFIX_EN, PRODUCT_PREFIX]
        .iter()
        .any(|p| label_key(p) == key);
    (is_product && !id.is_empty()).then_some(id)
}

/// What a file's header means for `spec`: the column it maps to through the study file's
/// mapping, its own name, or a question label; `None` when nothing matches.
pub fn mapped<'a>(raw: &'a RawTable, header: &str) -> Option<&'a str> {
    let key = label_key(header);
    raw.mapping
        .iter()
        .find(|(question, _)| label_key(question) == key)
        .map(|(_, column)| column.as_str())
}

/// The column of `spec` a header names: its canonical name (case, accents and spacing
/// ignored) or one of its question labels (letters and digits only compared).
pub fn column_of(spec: &TableSpec, header: &str) -> Option<&'static str> {
    let name = normalise(header);
    let key = label_key(header);
    spec.columns
        .iter()
        .find(|c| c.name == name)
        .or_else(|| {
            spec.columns.iter().find(|c| {
                c.question
                    .is_some_and(|q| label_key(q.label_fr) == key || label_key(q.label_en) == key)
            })
        })
        .map(|c| c.name)
}

/// Replace the questionnaire's yes/no product columns by one `products` column
/// (`polo|sweatshirt`, the products answered yes), in place of the first of them. A cell
/// that is not yes/no is reported with its file, row and column; an empty cell is a no.
///
/// # Errors
/// [`Error::Schema`] listing the cells that are not yes or no.
pub fn fold_products(raw: &RawTable) -> Result<RawTable> {
    let headers: Vec<String> = raw
        .frame
        .get_column_names()
        .iter()
        .map(|h| h.to_string())
        .collect();
    let product = |h: &str| match mapped(raw, h) {
        Some(target) => product_of(target),
        None => product_of(h),
    };
    let products: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| product(h).map(|p| (i, p)))
        .collect();
    let Some(&(first, _)) = products.first() else {
        return Ok(raw.clone());
    };
    let height = raw.frame.height();
    let mut lists: Vec<Vec<String>> = vec![Vec::new(); height];
    let mut problems = Vec::new();
    for (i, id) in &products {
        let header = &headers[*i];
        for (row, cell) in raw.frame.column(header)?.str()?.iter().enumerate() {
            let Some(text) = cell.map(str::trim).filter(|s| !s.is_empty()) else {
                continue;
            };
            match parse_bool(text) {
                Some(true) => lists[row].push(id.clone()),
                Some(false) => {}
                None => problems.push(Problem {
                    file: raw.file.clone(),
                    row: Some(raw.row_number(row)),
                    column: Some(header.clone()),
                    value: Some(text.to_owned()),
                    message: format!(
                        "expected yes or no (oui/non): whether the workshop can make `{id}`"
                    ),
                }),
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Schema(Problems(problems)));
    }
    let folded = Column::new(
        "products".into(),
        lists
            .iter()
            .map(|l| (!l.is_empty()).then(|| l.join("|")))
            .collect::<Vec<_>>(),
    );
    let mut columns: Vec<Column> = Vec::with_capacity(headers.len());
    for (i, c) in raw.frame.columns().iter().enumerate() {
        if i == first {
            columns.push(folded.clone());
        } else if !products.iter().any(|(j, _)| *j == i) {
            columns.push(c.clone());
        }
    }
    Ok(RawTable {
        frame: DataFrame::new_infer_height(columns)?,
        ..raw.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::read::read_bytes;
    use crate::data::tables::WORKSHOPS;

    #[test]
    fn labels_match_whatever_the_case_accents_and_apostrophes() {
        assert_eq!(
            column_of(&WORKSHOPS, "NOMBRE D’OPERATEURS DE PRODUCTION"),
            Some("operators")
        );
        assert_eq!(
            column_of(&WORKSHOPS, " Number of production  operators "),
            Some("operators")
        );
        assert_eq!(column_of(&WORKSHOPS, "Département"), Some("departement"));
        assert_eq!(column_of(&WORKSHOPS, "Opérateurs"), None);
        assert_eq!(product_of("Peut fabriquer : Polo"), Some("polo".into()));
        assert_eq!(product_of("can make:sweatshirt"), Some("sweatshirt".into()));
        assert_eq!(product_of("products:polo"), Some("polo".into()));
        assert_eq!(product_of("Note: polo"), None);
    }

    #[test]
    fn every_workshop_column_has_two_distinct_labels() {
        let mut keys = std::collections::BTreeSet::new();
        for c in WORKSHOPS.columns {
            let q = c.question.expect(c.name);
            assert!(
                !q.label_fr.is_empty() && !q.label_en.is_empty(),
                "{}",
                c.name
            );
            assert!(!q.description_fr.is_empty(), "{}", c.name);
            // No label may be read as another column.
            assert_eq!(column_of(&WORKSHOPS, q.label_fr), Some(c.name));
            assert_eq!(column_of(&WORKSHOPS, q.label_en), Some(c.name));
            keys.insert(label_key(q.label_fr));
        }
        assert_eq!(keys.len(), WORKSHOPS.columns.len());
    }

    #[test]
    fn product_columns_fold_into_the_list() {
        let csv = "Identifiant de l'atelier;Peut fabriquer : polo;Peut fabriquer : sweatshirt\n\
                   A;oui;non\nB;;oui\nC;oui;peut-être\n";
        let err = fold_products(&read_bytes("q.csv", csv.as_bytes()).unwrap()).unwrap_err();
        let Error::Schema(Problems(p)) = &err else {
            panic!("{err}")
        };
        assert_eq!(
            (p[0].row, p[0].column.as_deref(), p[0].value.as_deref()),
            (
                Some(4),
                Some("Peut fabriquer : sweatshirt"),
                Some("peut-être")
            )
        );
        let csv = "Identifiant de l'atelier;Peut fabriquer : polo;Peut fabriquer : sweatshirt\n\
                   A;oui;non\nB;;oui\nC;oui;x\nD;;\n";
        let raw = fold_products(&read_bytes("q.csv", csv.as_bytes()).unwrap()).unwrap();
        let names: Vec<&str> = raw
            .frame
            .get_column_names()
            .iter()
            .map(|s| s.as_str())
            .collect();
        assert_eq!(names, ["Identifiant de l'atelier", "products"]);
        let cells: Vec<Option<&str>> = raw
            .frame
            .column("products")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            cells,
            [
                Some("polo"),
                Some("sweatshirt"),
                Some("polo|sweatshirt"),
                None
            ]
        );
    }
}
