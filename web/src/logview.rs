//! The log view: one row per server, entries aligned by index and coloured by term, the commit
//! index marked, the snapshot shown as a block, and on the leader's row its nextIndex and
//! matchIndex for each follower. The key-value contents close each row.

use std::rc::Rc;

use distlab_core::lab::Snapshot;
use yew::prelude::*;

use crate::i18n::t;
use crate::palette::hue;
use crate::tf;

/// Most index columns drawn; older entries scroll out to the left.
const MAX_COLUMNS: u64 = 40;

#[derive(Properties, PartialEq)]
pub struct LogViewProps {
    pub snap: Rc<Snapshot>,
}

#[function_component(LogView)]
pub fn log_view(p: &LogViewProps) -> Html {
    crate::lang::use_lang();
    let rows: Vec<_> = p.snap.nodes.iter().filter_map(|n| n.log.as_ref().map(|l| (n, l))).collect();
    if rows.is_empty() {
        return html! {};
    }
    let last = rows.iter().map(|(_, l)| l.first_index + l.entries.len() as u64).max().unwrap_or(1).max(1) - 1;
    let lo = last.saturating_sub(MAX_COLUMNS - 1).max(1);
    let hi = lo.max(last);
    let leader_marks = rows.iter().find_map(|(_, l)| l.leader.clone()).unwrap_or_default();
    let head = (lo..=hi).map(|i| html! { <th scope="col">{i}</th> });
    let body = rows.iter().map(|(n, l)| {
        let cells = (lo..=hi).map(|i| {
            let committed = i <= l.commit;
            let marks = leader_marks.iter().find(|(f, _, _)| *f == n.id);
            let next = marks.is_some_and(|(_, nx, _)| *nx == i);
            let matched = marks.is_some_and(|(_, _, m)| *m == i);
            let mut title_marks = String::new();
            if next {
                title_marks = format!(" · {}", t("leader's nextIndex"));
            }
            if matched {
                title_marks = format!("{title_marks} · {}", t("leader's matchIndex"));
            }
            if let Some((si, st)) = l.snapshot.filter(|(si, _)| i <= *si) {
                let title = tf!("index {}: in the snapshot (up to {}, term {})", i, si, st) + &title_marks;
                return html! { <td class="snap" title={title}>{"▦"}</td> };
            }
            let k = i.checked_sub(l.first_index).map(|k| k as usize);
            match k.and_then(|k| l.entries.get(k)) {
                Some((term, label)) => html! {
                    <td class={classes!("entry", committed.then_some("committed"), next.then_some("next"), matched.then_some("match"))}
                        style={format!("--term:{}", hue(Some(*term)))} translate="no"
                        title={format!("{}{}{title_marks}", tf!("index {}, term {}: {}", i, term, label), if committed { format!(" {}", t("(committed)")) } else { String::new() })}>
                        {term}
                    </td>
                },
                None => html! { <td class={classes!("empty", next.then_some("next"))} title={tf!("index {}: empty", i) + &title_marks}></td> },
            }
        });
        let kv = if l.kv.is_empty() { "—".to_string() } else { l.kv.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ") };
        html! {
            <tr class={classes!((!n.up).then_some("down"), l.leader.is_some().then_some("leader"))}>
                <th scope="row" title={t(&n.view.role)}>{t(&n.name)}{ if l.leader.is_some() { " ★" } else { "" } }</th>
                { for cells }
                <td class="commit">{l.commit}</td>
                <td class="kv" translate="no">{kv}</td>
            </tr>
        }
    });
    // The note follows the heading (" · cells show …"): the catalogue holds it without the
    // space before it.
    let note = p.snap.page.log_note;
    let note = match note.trim_start() {
        "" => String::new(),
        words => format!("{}{}", &note[..note.len() - words.len()], t(words)),
    };
    html! {
        <section class="logview" aria-label={t("Replicated logs")}>
            <h2>{t("Logs")}<small>{note}</small></h2>
            <div class="scroll" tabindex="0" role="region" aria-label={t("Logs (table)")}>
                <table id="log-table">
                    <thead><tr><td></td>{ for head }<th>{t("commit")}</th><th>{t("key-value state")}</th></tr></thead>
                    <tbody>{ for body }</tbody>
                </table>
            </div>
        </section>
    }
}
