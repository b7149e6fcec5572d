//! The page in headless Chromium: it renders, play advances, step back restores.
#![cfg(target_arch = "wasm32")]

use distlab_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// Waits until `ready` holds, polling every 10 ms for at most `ms` (a loaded machine renders
/// late; a fixed sleep made these tests flaky). The caller asserts afterwards, so a page that
/// never gets there still fails with its own message.
async fn until(ms: i32, ready: impl Fn() -> bool) {
    let mut waited = 0;
    while !ready() && waited < ms {
        sleep(10).await;
        waited += 10;
    }
}

/// The Paxos page with its defaults (explicitly: tests share one document and its URL).
fn mount() -> Element {
    mount_with(distlab_core::lab::LabConfig::default())
}

fn click(root: &Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector).unwrap().map(|e| e.text_content().unwrap_or_default()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn renders_the_cluster_and_the_safety_badge() {
    let root = mount();
    until(5_000, || text(&root, "#safety").contains("Safety holds")).await;
    assert_eq!(root.query_selector_all("svg.topology .node").unwrap().length(), 3);
    assert!(text(&root, "#safety").contains("Safety holds"));
    assert_eq!(text(&root, "#position"), "0");
}

#[wasm_bindgen_test]
async fn step_and_step_back_restore_the_previous_state() {
    let root = mount();
    sleep(20).await;
    for _ in 0..4 {
        click(&root, "#btn-step");
        sleep(10).await;
    }
    assert_eq!(text(&root, "#position"), "4");
    let nodes_at_4 = text(&root, "svg.topology .nodes");
    let log_at_4 = text(&root, "#event-log");
    click(&root, "#btn-step");
    sleep(10).await;
    assert_eq!(text(&root, "#position"), "5");
    click(&root, "#btn-back");
    sleep(10).await;
    assert_eq!(text(&root, "#position"), "4");
    assert_eq!(text(&root, "svg.topology .nodes"), nodes_at_4);
    assert_eq!(text(&root, "#event-log"), log_at_4);
}

#[wasm_bindgen_test]
async fn play_advances_the_run() {
    let root = mount();
    sleep(20).await;
    click(&root, "#btn-play");
    sleep(1_500).await;
    click(&root, "#btn-play");
    sleep(20).await;
    let pos: u64 = text(&root, "#position").parse().unwrap();
    assert!(pos > 0, "play did not advance");
}

fn mount_with(config: distlab_core::lab::LabConfig) -> Element {
    mount_props(distlab_web::app::AppProps { config: Some(config), ..Default::default() })
}

fn mount_props(props: distlab_web::app::AppProps) -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    root
}

#[wasm_bindgen_test]
async fn the_raft_page_shows_logs_and_a_scenario() {
    let cfg = distlab_core::lab::LabConfig {
        scenario: Some("figure-7".into()),
        ..distlab_core::lab::LabConfig::opening("raft").unwrap()
    };
    let root = mount_with(cfg);
    let count = |selector: &str| root.query_selector_all(selector).unwrap().length();
    until(5_000, || count("svg.topology .node") == 7 && text(&root, "#lesson-now").contains("Figure 7"))
        .await;
    assert_eq!(count("svg.topology .node"), 7);
    assert_eq!(root.query_selector_all("#log-table tbody tr").unwrap().length(), 7);
    assert!(text(&root, "#lesson-now").contains("Figure 7"));
    // Run to the end of the narration and check every log matches S1's.
    for _ in 0..400 {
        click(&root, "#btn-step");
    }
    let rows = || root.query_selector_all("#log-table tbody tr").unwrap();
    let cells = |i: u32| {
        let Some(row) = rows().item(i).and_then(|r| r.dyn_into::<Element>().ok()) else { return Vec::new() };
        let tds = row.query_selector_all("td.entry").unwrap();
        (0..tds.length()).map(|k| tds.item(k).unwrap().text_content().unwrap()).collect::<Vec<_>>()
    };
    let expected = "1,1,1,4,4,5,5,6,6,6,8";
    until(5_000, || (0..7).all(|i| cells(i).join(",") == expected)).await;
    let first = rows().item(0).unwrap().text_content().unwrap();
    assert!(first.starts_with("S1 ★"), "{first}");
    let leader = cells(0);
    assert_eq!(leader.join(","), expected);
    for i in 1..7 {
        assert_eq!(cells(i), leader, "row {i}");
    }
}

#[wasm_bindgen_test]
async fn the_hashing_page_draws_the_ring_and_reports_moved_keys() {
    let root = mount_props(distlab_web::app::AppProps { page: Some("hashing".into()), ..Default::default() });
    until(5_000, || root.query_selector("#node-chips .node-chip").unwrap().is_some()).await;
    assert!(root.query_selector("#ring-svg").unwrap().is_some());
    assert_eq!(root.query_selector_all("#node-chips .node-chip").unwrap().length(), 5);
    click(&root, "#btn-add-node");
    until(5_000, || text(&root, "#moved-summary").starts_with("added node 5:")).await;
    assert_eq!(root.query_selector_all("#node-chips .node-chip").unwrap().length(), 6);
    let summary = text(&root, "#moved-summary");
    assert!(summary.starts_with("added node 5:"), "{summary}");
    assert!(summary.contains("the minimum possible is 1/6"), "{summary}");
}

/// Every part of the Chinese catalogue, compiled in (the site fetches it as `zh.txt`).
fn chinese() -> distlab_web::i18n::Catalogue {
    let mut c = distlab_web::i18n::Catalogue::default();
    for part in [
        include_str!("../../i18n/zh/common.txt"),
        include_str!("../../i18n/zh/errors.txt"),
        include_str!("../../i18n/zh/page.txt"),
        include_str!("../../i18n/zh/panels.txt"),
        include_str!("../../i18n/zh/views.txt"),
        include_str!("../../i18n/zh/hashing.txt"),
        include_str!("../../i18n/zh/lab.txt"),
        include_str!("../../i18n/zh/paxos.txt"),
        include_str!("../../i18n/zh/multipaxos.txt"),
        include_str!("../../i18n/zh/raft.txt"),
        include_str!("../../i18n/zh/kafka.txt"),
    ] {
        c.extend(part).expect("the catalogue reads");
    }
    c
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn choose(root: &Element, tag: &str) {
    let select = root
        .query_selector("#lang")
        .unwrap()
        .expect("the language switch")
        .dyn_into::<web_sys::HtmlSelectElement>()
        .unwrap();
    select.set_value(tag);
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
}

#[wasm_bindgen_test]
async fn the_language_switch_redraws_the_page_in_chinese_and_back_keeping_the_run() {
    distlab_web::lang::provide(chinese());
    let root = mount_with(distlab_core::lab::LabConfig::opening("raft").unwrap());
    sleep(50).await;
    for _ in 0..3 {
        click(&root, "#btn-step");
        sleep(10).await;
    }
    let english_at_first = !has_chinese(&text(&root, "main"));
    let doc = web_sys::window().unwrap().document().unwrap();
    let lang = || doc.document_element().unwrap().get_attribute("lang");
    choose(&root, "zh-CN");
    sleep(50).await;
    let (zh_lang, tagline, step, position) =
        (lang(), text(&root, "header .tagline"), text(&root, "#btn-step"), text(&root, "#position"));
    // Back to English before asserting: every test shares this page and its language.
    choose(&root, "en");
    sleep(50).await;
    let (en_lang, english_again) = (lang(), !has_chinese(&text(&root, "main")));
    let _ = web_sys::window().unwrap().local_storage().unwrap().unwrap().remove_item("distlab.lang");
    assert!(english_at_first, "the page opens in the browser's language, English");
    assert_eq!(zh_lang.as_deref(), Some("zh-CN"));
    assert!(has_chinese(&tagline), "{tagline}");
    assert!(step.contains("单步"), "{step}");
    assert_eq!(position, "3", "the run stays where it was");
    assert!(english_again, "back in English");
    assert_eq!(en_lang.as_deref(), Some("en"));
}

/// "New seed" draws from the browser's cryptographic source (getrandom's `crypto`
/// backend): seeds that vary, each below a million.
#[wasm_bindgen_test]
fn new_seeds_come_from_the_browsers_cryptographic_source() {
    let seeds: Vec<u64> = (0..16).map(|_| distlab_web::settings::fresh_seed()).collect();
    assert!(seeds.iter().all(|s| *s < 1_000_000), "{seeds:?}");
    let distinct: std::collections::BTreeSet<u64> = seeds.iter().copied().collect();
    assert!(distinct.len() > 8, "{seeds:?}");
}
