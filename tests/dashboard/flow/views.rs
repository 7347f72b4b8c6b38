//! Finding and reading: filters, the mouse, profiles, the detail view and exports;
//! untrusted text shown escaped.

use crate::common::harness::Harness;
use crate::common::*;
use crossterm::event::KeyCode;
use phonedeck::api::koophone::PhoneStatus;
use phonedeck::app::{Mode, Pane};

#[tokio::test(flavor = "multi_thread")]
async fn exports_write_the_shown_rows_and_the_activity_log_and_say_where() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    let dir = tempfile::tempdir().expect("tempdir");
    ui.state.settings.export_dir = dir.path().join("incident");
    ui.key(KeyCode::Char('/')).await;
    ui.type_text("offline").await;
    ui.key(KeyCode::Enter).await;
    let shown = ui.state.panes.phones.table.view.visible.len();
    ui.key(KeyCode::Char('e')).await;
    let screen = ui.screen(160, 48);
    assert!(
        screen.contains(&format!("wrote {shown} phones to")),
        "{screen}"
    );
    let files = |extension: &str| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir.path().join("incident"))
            .expect("export dir created")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == extension))
            .collect()
    };
    let csv = std::fs::read_to_string(&files("csv")[0]).expect("csv");
    let mode = std::fs::metadata(&files("csv")[0])
        .expect("csv")
        .permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600,
        "an export is its owner's only"
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "INSTANCE ID,NAME,STATUS,SINCE,LAST ERROR");
    assert_eq!(lines.len(), shown + 1, "the filter applies");
    assert!(lines[1..].iter().all(|l| l.contains(",Offline,")), "{csv}");

    ui.key(KeyCode::Char('E')).await;
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files("json")[0]).expect("json"))
            .expect("valid JSON");
    assert_eq!(json.as_array().expect("array").len(), shown);
    // The schema `phonedeck status -o json` prints: raw values, a name beside the enum.
    assert_eq!(json[0]["status"], 3);
    assert_eq!(json[0]["status_name"], "Offline");
    let keys: Vec<&String> = json[0].as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        ["instance_id", "instance_name", "status", "status_name"]
    );

    ui.key(KeyCode::Char('w')).await;
    let log = std::fs::read_to_string(&files("log")[0]).expect("log");
    assert!(log.contains(&format!("wrote {shown} phones to")), "{log}");
    assert!(
        log.lines().nth(1).is_some_and(|l| l.starts_with("20")),
        "timestamped: {log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mouse_clicks_pick_tabs_and_rows_and_the_wheel_scrolls_only_when_enabled() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    let click = |column, row| {
        phonedeck::app::Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: crossterm::event::KeyModifiers::NONE,
        })
    };
    let wheel_down = phonedeck::app::Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: 10,
        modifiers: crossterm::event::KeyModifiers::NONE,
    });
    ui.dispatch(wheel_down.clone()).await;
    assert_eq!(ui.state.panes.phones.table.view.cursor, 0, "off by default");
    ui.state.settings.mouse = true;
    ui.dispatch(wheel_down).await;
    assert_eq!(ui.state.panes.phones.table.view.cursor, 3);
    // 120x40: three header lines, the table's title and column header, then rows.
    ui.dispatch(click(10, 5 + 7)).await;
    assert_eq!(ui.state.panes.phones.table.view.cursor, 7);
    ui.dispatch(click(40, 2)).await;
    assert_eq!(ui.state.pane, Pane::Servers);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_detail_view_shows_a_targets_audit_lines_from_every_run() {
    let sim = start_sim().await;
    let mut first_run = Harness::new(&sim, false).await;
    first_run.key(KeyCode::Char('s')).await;
    first_run.key(KeyCode::Char('y')).await;
    let first_action = first_run.audit_lines()[0]["action_id"]
        .as_str()
        .expect("id")
        .to_string();
    let log = std::fs::read(first_run.audit_dir.path().join("audit.jsonl")).expect("log");

    let mut second_run = Harness::new(&sim, false).await;
    std::fs::write(second_run.audit_dir.path().join("audit.jsonl"), log).expect("same log");
    second_run.key(KeyCode::Char('s')).await;
    second_run.key(KeyCode::Char('y')).await;
    second_run.key(KeyCode::Enter).await;
    let Mode::Detail(detail) = &second_run.state.mode else {
        panic!("Enter opens the row's detail");
    };
    let phone = detail.key.clone();
    let second_action = second_run
        .audit_lines()
        .iter()
        .rev()
        .find_map(|l| l["action_id"].as_str().map(str::to_string))
        .expect("id");
    assert_ne!(first_action, second_action);
    let screen = second_run.screen(200, 60);
    assert!(screen.contains(&format!("Phones {phone}")), "{screen}");
    assert!(
        screen.contains(&format!("action {first_action}")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("action {second_action}")),
        "{screen}"
    );
    second_run.key(KeyCode::Esc).await;
    assert_eq!(second_run.state.mode, Mode::Normal);
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_behave_as_a_k9s_user_expects() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    use phonedeck::app::Msg;
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    let filter = |ui: &Harness| ui.state.panes.phones.table.view.filter.clone();
    ui.key(KeyCode::Char('/')).await;
    ui.type_text("offline").await;
    ui.key(KeyCode::Enter).await;
    // `/` opens an empty prompt: typing replaces the filter, never appends to it.
    ui.key(KeyCode::Char('/')).await;
    assert_eq!(filter(&ui), "");
    ui.type_text("running").await;
    ui.key(KeyCode::Enter).await;
    assert_eq!(filter(&ui), "running");
    // ↑ recalls the earlier filters, the latest first.
    ui.key(KeyCode::Char('/')).await;
    ui.key(KeyCode::Up).await;
    assert_eq!(filter(&ui), "running");
    ui.key(KeyCode::Up).await;
    assert_eq!(filter(&ui), "offline");
    // Ctrl-W deletes a word, Ctrl-U the line.
    let ctrl = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    ui.type_text(" phone").await;
    ui.dispatch(ctrl('w')).await;
    assert_eq!(filter(&ui), "offline ");
    ui.dispatch(ctrl('u')).await;
    assert_eq!(filter(&ui), "");
    // Several words must all match; `!word` excludes.
    ui.type_text("phone !running").await;
    ui.key(KeyCode::Enter).await;
    let rows = &ui.state.panes.phones.table;
    assert!(!rows.view.visible.is_empty());
    assert!(
        rows.view
            .visible
            .iter()
            .all(|&i| rows.rows[i].status != Some(PhoneStatus::RUNNING))
    );
    // A filter that matches nothing says so.
    ui.key(KeyCode::Char('/')).await;
    ui.type_text("no-such-phone").await;
    assert!(ui.screen(120, 40).contains("no row matches /no-such-phone"));
    ui.key(KeyCode::Enter).await;
    // Esc in the pane clears the filter in force.
    ui.key(KeyCode::Esc).await;
    assert_eq!(filter(&ui), "");
    assert_eq!(ui.state.panes.phones.table.view.visible.len(), 250);
    // Alt and a column's letter sorts by it; again, the other way.
    let alt = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT));
    ui.dispatch(alt('n')).await;
    assert_eq!(ui.state.panes.phones.table.view.sort, Some((1, false)));
    ui.dispatch(alt('n')).await;
    assert_eq!(ui.state.panes.phones.table.view.sort, Some((1, true)));
    assert!(ui.screen(120, 40).contains("sort:name↓"));
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_profile_keeps_the_filters() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Char('/')).await;
    ui.type_text("offline").await;
    ui.key(KeyCode::Enter).await;
    let settings = ui.state.settings.clone();
    ui.dispatch(phonedeck::app::Msg::ProfileSwitched(Ok(settings)))
        .await;
    assert_eq!(ui.state.panes.phones.table.view.filter, "offline");
    assert!(ui.screen(120, 40).contains("/offline"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_detail_view_shows_every_field_the_service_returns() {
    let sim = start_sim().await;
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Enter).await;
    let Mode::Detail(detail) = &ui.state.mode else {
        panic!("Enter opens the row's detail");
    };
    let phone = detail.key.clone();
    let asked: Vec<String> = sim
        .requests()
        .into_iter()
        .filter_map(|r| r.query)
        .filter(|q| q.contains("instance_id="))
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(
        asked[0].contains(&format!("instance_id={phone}")),
        "{asked:?}"
    );
    let screen = ui.screen(120, 40);
    // Fields the table does not keep, under the service's own names.
    for field in [
        "billing_mode: PERIOD",
        "login_status: 0",
        "instance_sku: kp.standard.2",
    ] {
        assert!(screen.contains(field), "{field}: {screen}");
    }
    ui.key(KeyCode::Esc).await;

    sim.set_faults(phonedeck::sim::Faults {
        forbidden_rate: 1.0,
        ..Default::default()
    });
    ui.key(KeyCode::Enter).await;
    let screen = ui.screen(160, 40);
    assert!(
        screen.contains("the whole record cannot be read"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("instance_id: {phone}")),
        "the row's own fields stay: {screen}"
    );
    ui.key(KeyCode::Esc).await;

    // Other rows keep every field of their listing: an encoder's key pair and access.
    ui.key(KeyCode::Char('3')).await;
    ui.key(KeyCode::Enter).await;
    let screen = ui.screen(160, 40);
    assert!(screen.contains("keypair_name: cph-key"), "{screen}");
    assert!(screen.contains("access_infos: [{"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_that_reorders_itself_is_shown_escaped_in_the_table_and_the_dialog() {
    let sim = start_sim().await;
    sim.with_fleet(|fleet| {
        for phone in &mut fleet.phones {
            phone.name = format!("\u{202e}\u{200b}{}", phone.name);
        }
    });
    let mut ui = Harness::new(&sim, false).await;
    let table = ui.screen(160, 40);
    assert!(table.contains("\\u{202e}"), "{table}");
    ui.key(KeyCode::Char('s')).await;
    assert!(matches!(ui.state.mode, Mode::Confirm(_)), "a dialog opens");
    let dialog = ui.screen(160, 40);
    assert!(dialog.contains("\\u{202e}"), "{dialog}");
    for screen in [table, dialog] {
        assert!(
            !screen.contains(['\u{202e}', '\u{200b}']),
            "an invisible character reached the screen"
        );
    }
    ui.key(KeyCode::Char('n')).await;
    assert!(mutations(&sim).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_detail_view_masks_a_password_in_any_url_field() {
    let sim = start_sim().await;
    sim.with_fleet(|fleet| {
        for phone in &mut fleet.phones {
            phone.name = "rtsp://admin:hunter2-S3cret@10.1.2.3/live".into();
        }
    });
    let mut ui = Harness::new(&sim, false).await;
    ui.key(KeyCode::Enter).await;
    assert!(
        matches!(ui.state.mode, Mode::Detail(_)),
        "Enter opens the detail"
    );
    let screen = ui.screen(160, 40);
    assert!(
        screen.contains("rtsp://admin:***@10.1.2.3/live"),
        "{screen}"
    );
    let record_lines: Vec<&str> = screen.lines().filter(|l| l.contains(": rtsp")).collect();
    assert!(!record_lines.is_empty(), "{screen}");
    for line in record_lines {
        assert!(!line.contains("hunter2"), "{line}");
    }
}
