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

/// The row labels' column, as wide as its longest label up to a point (beside the drawing the
/// columns share the width: a tree's paths need more than a server's name).
fn label_width(b: &distlab_core::present::Board) -> String {
    let longest = b.rows.iter().map(|r| r.label.chars().count()).max().unwrap_or(0);
    format!("--label-w:{}ch", longest.clamp(7, 12) + 1)
}

/// A row's label, free to break after each `/` of a path (`/election/` `n-0000000003`).
fn label(text: &str) -> Html {
    let parts: Vec<&str> = text.split_inclusive('/').collect();
    html! { <>{ for parts.into_iter().map(|p| html! { <>{p}<wbr/></> }) }</> }
}

#[function_component(Boards)]
pub fn boards(p: &BoardsProps) -> Html {
    crate::lang::use_lang();
    if p.snap.boards.is_empty() {
        return html! {};
    }
    html! {
        <div class="boards">
            { for p.snap.boards.iter().enumerate().map(|(i, b)| html! {
                <section class="board" aria-label={t(&b.title)} id={format!("board-{i}")}>
                    <h2>{t(&b.title)}</h2>
                    <p class="hint">{t(&b.legend)}</p>
                    // Focusable, so a wide table can be scrolled from the keyboard.
                    <div class="scroll" tabindex="0" role="region" aria-label={tf!("{} (table)", t(&b.title))}>
                        <table>
                            <thead><tr><td style={label_width(b)}></td>{ for b.columns.iter().map(|c| html! { <th scope="col">{t(c)}</th> }) }</tr></thead>
                            <tbody>
                                { for b.rows.iter().map(|r| html! {
                                    <tr><th scope="row">{label(&t(&r.label))}</th>{ for r.cells.iter().map(cell) }</tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                </section>
            }) }
        </div>
    }
}
