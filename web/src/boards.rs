//! A protocol's own tables (Kafka's partitions × brokers, its consumer group): plain data from
//! core, drawn as tables whose cells may carry a bar (a log and its high watermark).

use std::rc::Rc;

use distlab_core::lab::Snapshot;
use distlab_core::protocol::{BoardCell, Tone};
use yew::prelude::*;

use crate::i18n::t;
use crate::num::Fixed;
use crate::palette::hue;
use crate::tf;

#[derive(Properties, PartialEq)]
pub struct BoardsProps {
    pub snap: Rc<Snapshot>,
}

fn tone_class(t: Tone) -> &'static str {
    match t {
        Tone::Plain => "plain",
        Tone::Lead => "lead",
        Tone::Good => "good",
        Tone::Warn => "warn",
        Tone::Bad => "bad",
        Tone::Dim => "dim",
    }
}

fn cell(c: &BoardCell) -> Html {
    let bar = c.bar.map(|(fill, mark, scale)| {
        let scale = scale.max(1) as f64;
        let w = (fill as f64 / scale * 100.0).min(100.0);
        let m = (mark as f64 / scale * 100.0).min(100.0);
        html! {
            <span class="bar" aria-hidden="true">
                <span class="fill" style={format!("width:{}%", Fixed(w, 1))}></span>
                { if mark > 0 { html! { <span class="mark" style={format!("left:{}%", Fixed(m, 1))}></span> } } else { html! {} } }
            </span>
        }
    });
    let style = c.hue.map(|h| format!("--hue:{}", hue(Some(h))));
    html! {
        <td class={classes!("tone", tone_class(c.tone))} title={t(&c.title)} style={style}>
            <span class="t">{t(&c.text)}</span>{ for bar }
        </td>
    }
}

/// Columns' widths, from what they hold: the longest word of each column's header (as the
/// reader sees it: a header wraps at its spaces only) and of its cells, the row labels' broken
/// after each `/`, each within bounds. Beside the drawing the table is fixed to its column's
/// width, which the columns share in proportion to these: a tree's paths and "ephemeral" get
/// room, a version's "v0" little, but never less than its header's "version".
fn widths(b: &distlab_core::present::Board) -> (String, Vec<String>) {
    // In characters of the board's monospace font: a Chinese character takes two.
    let wide = |c: char| if ('\u{2E80}'..='\u{FFEF}').contains(&c) { 2 } else { 1 };
    let longest_word =
        |text: &str| text.split_whitespace().map(|w| w.chars().map(wide).sum::<usize>()).max().unwrap_or(0);
    let label = b.rows.iter().flat_map(|r| r.label.split_inclusive('/')).map(longest_word).max().unwrap_or(0);
    let column = |i: usize| {
        let cells = b.rows.iter().filter_map(|r| r.cells.get(i)).map(|c| longest_word(&c.text));
        cells.chain(b.columns.get(i).map(|h| longest_word(&t(h)))).max().unwrap_or(0)
    };
    // Shares of the table's width, in per cent, so that the table never grows past it.
    let chars: Vec<usize> = core::iter::once(label.clamp(3, 14) + 2)
        .chain((0..b.columns.len()).map(|i| column(i).clamp(3, 14) + 2))
        .collect();
    let total = chars.iter().sum::<usize>().max(1) as f64;
    let mut shares = chars.into_iter().map(|c| format!("--col-w:{}%", Fixed(100.0 * c as f64 / total, 2)));
    (shares.next().unwrap_or_default(), shares.collect())
}

/// A row's label, free to break after each `/` of a path (`/election/` `n-0000000003`).
fn label(text: &str) -> Html {
    html! { <>{ for text.split_inclusive('/').map(|p| html! { <>{p}<wbr/></> }) }</> }
}

#[function_component(Boards)]
pub fn boards(p: &BoardsProps) -> Html {
    crate::lang::use_lang();
    if p.snap.boards.is_empty() {
        return html! {};
    }
    html! {
        <div class="boards">
            { for p.snap.boards.iter().enumerate().map(|(i, b)| { let (label_w, column_w) = widths(b); html! {
                <section class="board" aria-label={t(&b.title)} id={format!("board-{i}")}>
                    <h2>{t(&b.title)}</h2>
                    <p class="hint">{t(&b.legend)}</p>
                    // Focusable, so a wide table can be scrolled from the keyboard.
                    <div class="scroll" tabindex="0" role="region" aria-label={tf!("{} (table)", t(&b.title))}>
                        <table>
                            <thead><tr><td style={label_w}></td>{ for b.columns.iter().zip(column_w).map(|(c, w)| html! { <th scope="col" style={w}>{t(c)}</th> }) }</tr></thead>
                            <tbody>
                                { for b.rows.iter().map(|r| html! {
                                    <tr><th scope="row">{label(&t(&r.label))}</th>{ for r.cells.iter().map(cell) }</tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                </section>
            }}) }
        </div>
    }
}
