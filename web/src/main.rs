fn main() {
    distlab_web::install_panic_banner();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"))
        .expect("index.html has <div id=\"app\">");
    yew::Renderer::<distlab_web::App>::with_root(root).render();
}
