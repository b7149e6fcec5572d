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

fn mount() -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    root
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
    sleep(50).await;
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
