//! Plain-text tables with computed column widths.
//!
//! Columns are separated by two spaces; text columns are left-aligned and
//! numeric columns right-aligned. Trailing spaces are never emitted. Widths
//! are counted in `char`s, which is exact for the ASCII the daemon reports.

/// Horizontal alignment of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Pad on the right.
    Left,
    /// Pad on the left (numbers).
    Right,
}

/// One column: header text and alignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Header text.
    pub header: String,
    /// Alignment of the header and cells.
    pub align: Align,
}

/// A table under construction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
}

/// Column separator.
const GAP: &str = "  ";

impl Table {
    /// Creates a table with the given `(header, alignment)` columns.
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Table {
            columns: columns
                .iter()
                .map(|&(header, align)| Column {
                    header: header.to_string(),
                    align,
                })
                .collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row. Missing cells are rendered empty; extra cells are
    /// dropped so that a row can never break the layout.
    pub fn push<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut row: Vec<String> = cells
            .into_iter()
            .take(self.columns.len())
            .map(Into::into)
            .collect();
        row.resize(self.columns.len(), String::new());
        self.rows.push(row);
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the table has no data rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Computed width of each column (the widest of header and cells).
    pub fn widths(&self) -> Vec<usize> {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, col)| {
                self.rows
                    .iter()
                    .map(|row| row[i].chars().count())
                    .chain(std::iter::once(col.header.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// Renders header and rows, one line each, every line ending in `\n`.
    pub fn render(&self) -> String {
        let widths = self.widths();
        let mut out = String::new();
        let header: Vec<&str> = self.columns.iter().map(|c| c.header.as_str()).collect();
        self.render_line(&mut out, &header, &widths);
        for row in &self.rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            self.render_line(&mut out, &cells, &widths);
        }
        out
    }

    fn render_line(&self, out: &mut String, cells: &[&str], widths: &[usize]) {
        let mut line = String::new();
        for (i, ((cell, col), &width)) in cells.iter().zip(&self.columns).zip(widths).enumerate() {
            if i > 0 {
                line.push_str(GAP);
            }
            let pad = width.saturating_sub(cell.chars().count());
            match col.align {
                Align::Left => {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                }
                Align::Right => {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_left_and_right_columns() {
        let mut t = Table::new(&[
            ("NAME", Align::Left),
            ("N", Align::Right),
            ("X", Align::Left),
        ]);
        t.push(["a", "1", "x"]);
        t.push(["longer", "12345", "y"]);
        let out = t.render();
        let expected = "\
NAME        N  X
a           1  x
longer  12345  y
";
        assert_eq!(out, expected);
        assert_eq!(t.widths(), vec![6, 5, 1]);
    }

    #[test]
    fn every_line_has_the_same_column_starts() {
        let mut t = Table::new(&[
            ("SPAN", Align::Right),
            ("STATE", Align::Left),
            ("ALARMS", Align::Left),
        ]);
        t.push(["1", "up", "OK"]);
        t.push(["10", "alarm", "LOS,LOF"]);
        let out = t.render();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        // Column 2 ("STATE") starts at the same offset on every line.
        for line in &lines {
            assert_eq!(&line[4..6], "  ", "{line:?}");
            assert_ne!(&line[6..7], " ", "{line:?}");
        }
        assert_eq!(lines[0], "SPAN  STATE  ALARMS");
        assert_eq!(lines[1], "   1  up     OK");
        assert_eq!(lines[2], "  10  alarm  LOS,LOF");
    }

    #[test]
    fn no_trailing_spaces_and_ragged_rows_are_normalised() {
        let mut t = Table::new(&[("A", Align::Left), ("B", Align::Left)]);
        t.push(["wide-cell"]);
        t.push(["x", "y", "dropped"]);
        let out = t.render();
        assert!(out.lines().all(|l| !l.ends_with(' ')), "{out:?}");
        assert_eq!(out, "A          B\nwide-cell\nx          y\n");
        assert_eq!(t.len(), 2);
        assert!(!t.is_empty());
    }

    #[test]
    fn empty_table_renders_header_only() {
        let t = Table::new(&[("ONE", Align::Left), ("TWO", Align::Right)]);
        assert!(t.is_empty());
        assert_eq!(t.render(), "ONE  TWO\n");
    }
}
