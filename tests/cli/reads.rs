//! Reading the fleet headless: status, streams and lists as JSON, CSV and tables;
//! names for ids; every phone listed even when rows are sparse or the answer hides
//! an error; untrusted cells kept in their box.

use std::process::Stdio;
use std::time::Duration;

use crate::common::*;
use phonedeck::app::pane::column::TableRow;
use phonedeck::app::pane::encoders::EncoderRow;
use phonedeck::app::pane::servers::ServerRow;
use phonedeck::app::pane::streams::StreamRow;
use serde_json::Value;

use super::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn status_json_lists_every_phone_with_raw_unknown_statuses() {
    let (sim, _dir, config) = setup().await;
    let run = phonedeck(&sim, &config, &["status", "--output", "json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = run.json();
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 250);
    let keys: Vec<&String> = rows[0].as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        ["instance_id", "instance_name", "status", "status_name"],
        "the dashboard's export has the same keys (tests/dashboard/flow/views.rs)"
    );
    let seven = rows
        .iter()
        .find(|r| r["status"] == 7)
        .expect("status 7 present");
    assert_eq!(seven["status_name"], "Unknown(7)");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_under_throttling_and_html_502s_still_lists_every_phone() {
    // About 120 reads, each refused 5% of the time: some surely are, and one refused
    // four times running (the retry limit) is a chance in a thousand.
    let sim = start_sim_sized(|size| size.phones = 3_000).await;
    let (_dir, config) = config_file(&sim, "");
    let calm = phonedeck(&sim, &config, &["status", "--output", "json"]).await;
    assert_eq!(calm.code, 0, "{}", calm.stderr);
    let needed = sim.requests().len();
    sim.set_faults(phonedeck::sim::Faults {
        throttle_rate: 0.03,
        html_rate: 0.02,
        ..Default::default()
    });
    let run = phonedeck(&sim, &config, &["status", "--output", "json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json().as_array().expect("array").len(), 3_000);
    let sent = sim.requests().len() - needed;
    assert!(
        sent > needed,
        "refused reads were sent again: {sent} for {needed}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_of_given_ids_reports_missing_ones() {
    let (sim, _dir, config) = setup().await;
    let id = phone_ids(&sim)[5].clone();
    let (named_id, name) = sim.with_fleet(|f| (f.phones[7].id.clone(), f.phones[7].name.clone()));
    let run = phonedeck(
        &sim,
        &config,
        &["status", &id, "ghost", &name, "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 1);
    let rows = run.json();
    let ids: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["instance_id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [id.as_str(), named_id.as_str()],
        "the name stands for its id"
    );
    assert_eq!(rows[1]["instance_name"], name.as_str(), "NAME is filled");
    assert!(run.stderr.contains("ghost"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slash_inside_a_streams_app_or_name_is_written_percent_2f() {
    let (sim, _dir, config) = setup().await;
    let domain = colliding_streams(&sim);
    let ambiguous = format!("{domain}/live/x/y");
    let run = phonedeck(&sim, &config, &["streams", "pause", &ambiguous, "--yes"]).await;
    assert_eq!(
        run.code, 2,
        "one key for two streams is refused: {}",
        run.stderr
    );
    assert!(run.stderr.contains("%2F"), "{}", run.stderr);
    let first = format!("{domain}/live%2fx/y");
    let run = phonedeck(
        &sim,
        &config,
        &["streams", "pause", &first, "--yes", "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()[0]["target"], format!("{domain}/live%2Fx/y"));
    let body: Value = serde_json::from_str(&mutations(&sim)[0].body).expect("json");
    assert_eq!(
        (&body["app_name"], &body["stream_name"]),
        (&Value::from("live/x"), &Value::from("y"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_output_has_the_table_columns_with_a_header() {
    let (sim, _dir, config) = setup().await;
    let run = phonedeck(&sim, &config, &["status", "--output", "csv"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "INSTANCE ID,NAME,STATUS");
    assert_eq!(lines.len(), 251);
    assert!(
        lines.iter().any(|l| l.ends_with(",Unknown(7)")),
        "{}",
        run.stdout
    );
    // Every list prints its pane's own columns: the dashboard's descriptors.
    let run = phonedeck(&sim, &config, &["servers", "list", "-o", "csv"]).await;
    let header = |columns: Vec<&str>| columns.join(",") + "\n";
    let servers: Vec<&str> = ServerRow::COLUMNS.iter().map(|c| c.title).collect();
    assert_eq!(servers, ["SERVER ID", "NAME", "STATUS", "TASK STATE"]);
    assert!(run.stdout.starts_with(&header(servers)), "{}", run.stdout);
    let run = phonedeck(&sim, &config, &["encoders", "list", "-o", "json"]).await;
    let first = &run.json()[0];
    assert!(
        first["status"].is_i64() && first["status_name"].is_string(),
        "{first}"
    );
    let run = phonedeck(&sim, &config, &["encoders", "list", "-o", "csv"]).await;
    let encoders = EncoderRow::COLUMNS.iter().map(|c| c.title).collect();
    assert!(run.stdout.starts_with(&header(encoders)), "{}", run.stdout);
    let run = phonedeck(&sim, &config, &["streams", "list", "-o", "csv"]).await;
    let streams = StreamRow::COLUMNS.iter().map(|c| c.title).collect();
    assert!(run.stdout.starts_with(&header(streams)), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_watch_prints_every_phone_then_each_change_as_json_lines() {
    let (sim, _dir, config) = setup().await;
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
    command
        .arg("--config")
        .arg(&config)
        .args(["status", "--watch", "--interval", "200ms"])
        .env("PD_TEST_TOKEN", &sim.credentials().token);
    let (mut child, mut lines) = stdout_lines(command);
    let mut next = async || -> Value {
        let line = tokio::time::timeout(std::time::Duration::from_secs(10), lines.next_line())
            .await
            .expect("a line in time")
            .expect("reads")
            .expect("a line");
        serde_json::from_str(&line).expect("a JSON line")
    };
    for _ in 0..250 {
        let first = next().await;
        assert!(first["previous"].is_null(), "{first}");
    }
    let id = phone_ids(&sim)[0].clone();
    let before = sim.with_fleet(|fleet| {
        let phone = &mut fleet.phones[0];
        let before = phone.status;
        phone.status = phonedeck::api::koophone::PhoneStatus::SHUT_DOWN;
        before
    });
    let change = next().await;
    assert_eq!(change["instance_id"], id.as_str());
    assert!(change["instance_name"].is_string(), "{change}");
    assert_eq!(change["status_name"], "Shut down");
    assert_eq!(change["previous"], before.0);
    child.kill().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_names_a_koophone_error_inside_data_instead_of_an_empty_fleet() {
    let body = include_bytes!(
        "../contract/koophone-list.error-inside-data.constructed-from-java-sdk-model.json"
    );
    let addr = serve_instance_list(body).await;
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "");
    point_endpoint(&sim, &config, "koophone", addr);
    let run = phonedeck(&sim, &config, &["status", "-o", "json"]).await;
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("KOOPHONE.API.1001"), "{}", run.stderr);
    assert!(run.stderr.contains("Insufficient instance permissions"));
    assert!(!run.stdout.contains("[]"), "no empty fleet: {}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_of_a_sparse_fleet_lists_every_phone() {
    let sim = start_sim_sized(|size| size.phones = 200).await;
    sim.set_faults(phonedeck::sim::Faults {
        sparse: true,
        ..Default::default()
    });
    let (_dir, config) = config_file(&sim, "");
    let run = phonedeck(&sim, &config, &["status", "-o", "json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = run.json();
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 200, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 phone row(s) in the answer had no id and were left out"),
        "{}",
        run.stderr
    );
    let unreported = rows.iter().filter(|r| r["status"].is_null()).count();
    assert!(
        unreported > 0,
        "sparse status answers leave some statuses out"
    );
    assert!(
        rows.iter()
            .filter(|r| r["status"].is_null())
            .all(|r| r["status_name"] == "Unknown"),
        "a status left out is Unknown, as the header counts it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_never_reach_another_endpoint_from_the_command_line() {
    let (sim, _dir, config) = setup().await;
    let run = phonedeck(
        &sim,
        &config,
        &[
            "servers",
            "stop",
            "../../../v3/auth/tokens?x=",
            "a/b",
            "x#y",
            "--yes",
        ],
    )
    .await;
    // Neither ids nor names of the listed servers: refused before any action is sent
    // (the client's own path encoding is tested in tests/wire/identifiers.rs).
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("no server has the id or name"),
        "{}",
        run.stderr
    );
    let requests = sim.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" && r.path.ends_with("/servers/detail")),
        "only the list was read: {requests:?}"
    );
    assert_eq!(
        audit_lines(&config),
        Vec::<Value>::new(),
        "nothing to audit"
    );
    let run = phonedeck(&sim, &config, &["jobs", "../../servers/detail"]).await;
    assert_eq!(run.code, 1);
    let last = sim.requests().pop().expect("sent");
    assert!(
        last.path
            .contains("/cloud-phone/jobs/..%2F..%2Fservers%2Fdetail")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_and_control_character_ids_are_usage_errors() {
    let (sim, _dir, config) = setup().await;
    for args in [
        vec!["servers", "stop", "", "--yes"],
        vec!["phones", "stop-streaming", "ph\u{1b}[2J", "--yes"],
        vec!["encoders", "restart", "..", "--yes"],
        vec!["jobs", "job\n1"],
        vec!["status", ""],
    ] {
        let run = phonedeck(&sim, &config, &args).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
        assert!(!run.stderr.contains('\u{1b}'), "the id is shown sanitised");
    }
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[tokio::test(flavor = "multi_thread")]
async fn status_watch_prints_csv_when_asked_and_says_which_ids_are_unknown() {
    let (sim, _dir, config) = setup().await;
    let id = phone_ids(&sim)[0].clone();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--config")
        .arg(&config)
        .args([
            "status",
            "--watch",
            "--interval",
            "200ms",
            "-o",
            "csv",
            &id,
            "ph-nowhere",
        ])
        .env("PD_TEST_TOKEN", &sim.credentials().token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("a line in time")
            .expect("reads")
            .expect("a line")
    };
    assert_eq!(
        next().await,
        "time,instance_id,instance_name,status,status_name,previous,previous_name"
    );
    let row = next().await;
    let name = sim.with_fleet(|f| (f.phones.iter().find(|p| p.id == id)).map(|p| p.name.clone()));
    let name = name.expect("a listed phone");
    assert!(
        row.contains(&format!(",{id},{name},")),
        "the name beside the id: {row}"
    );
    child.kill().await.expect("stops");
    let stderr = child.wait_with_output().await.expect("exits").stderr;
    let stderr = String::from_utf8_lossy(&stderr);
    assert!(
        stderr.contains("ph-nowhere: not in the service's answer"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unique_name_stands_for_its_id_and_an_ambiguous_one_is_refused() {
    let (sim, _dir, config) = setup().await;
    let (id, name) = sim.with_fleet(|f| {
        let server = f
            .servers
            .iter()
            .find(|s| s.status == "ACTIVE")
            .expect("active");
        (server.id.clone(), server.name.clone())
    });
    let run = phonedeck(
        &sim,
        &config,
        &["servers", "stop", &name, "--yes", "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()[0]["target"], id.as_str());
    assert_eq!(
        run.json()[0]["name"],
        name.as_str(),
        "the name beside the id"
    );
    assert!(mutations(&sim).iter().any(|r| r.path.contains(&id)));
    let run = phonedeck(&sim, &config, &["servers", "start", &name, "--yes"]).await;
    let header = run.stdout.lines().next().unwrap_or_default().to_string();
    assert!(
        header.starts_with("TARGET") && header.contains("NAME"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&name), "{}", run.stdout);

    let twin = sim.with_fleet(|f| {
        let twin = f.servers.iter_mut().find(|s| s.id != id).expect("another");
        twin.name = name.clone();
        twin.id.clone()
    });
    let before = mutations(&sim).len();
    let run = phonedeck(&sim, &config, &["servers", "start", &name, "--yes"]).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains(&format!("2 servers are named {name}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&id) && run.stderr.contains(&twin),
        "{}",
        run.stderr
    );
    assert_eq!(mutations(&sim).len(), before, "nothing sent");

    // status with ids fills NAME.
    let phone = phone_ids(&sim)[3].clone();
    let phone_name = sim.with_fleet(|f| {
        f.phones
            .iter()
            .find(|p| p.id == phone)
            .map(|p| p.name.clone())
            .expect("the phone")
    });
    let run = phonedeck(&sim, &config, &["status", &phone, "-o", "csv"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with(&format!("{phone},{phone_name},"))),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn phones_are_named_by_id_or_unique_name_without_listing_the_fleet() {
    let (sim, _dir, config) = setup().await;
    let (first, second, third) = sim.with_fleet(|f| {
        let name = f.phones[1].name.clone();
        // Two phones share a name; the simulator's name filter matches any part.
        f.phones[2].name = name.clone();
        (
            f.phones[0].clone(),
            (f.phones[1].id.clone(), name),
            f.phones[2].id.clone(),
        )
    });
    let run = phonedeck(
        &sim,
        &config,
        &[
            "phones",
            "stop-streaming",
            &first.name,
            &first.id,
            "--yes",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let targets: Vec<String> = run
        .json()
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| o["target"].as_str().expect("target").to_string())
        .collect();
    assert_eq!(targets, [first.id.clone(), first.id.clone()]);
    let reads: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/batch-query"))
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert_eq!(
        reads.len(),
        1,
        "one filtered read, for the name only: {reads:?}"
    );
    assert!(reads[0].contains("instance_name="), "{reads:?}");

    let before = mutations(&sim).len();
    let run = phonedeck(
        &sim,
        &config,
        &["phones", "stop-streaming", &second.1, "--yes"],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&second.0) && run.stderr.contains(&third),
        "the matches are listed: {}",
        run.stderr
    );
    assert_eq!(mutations(&sim).len(), before, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_cells_from_the_network_are_never_formulas_and_tables_show_bidi_as_text() {
    let sim = start_sim_with(hostile_sim_options()).await;
    let (_dir, config) = config_file(&sim, "");
    let csv = phonedeck(&sim, &config, &["status", "-o", "csv"]).await;
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert!(csv.stdout.contains("'=HYPERLINK("), "{}", csv.stdout);
    let mut reader = ::csv::Reader::from_reader(csv.stdout.as_bytes());
    for record in reader.records() {
        let record = record.expect("a CSV record");
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r'])
                    && (cell == "-" || !cell.starts_with('-')),
                "a spreadsheet would run {cell:?}"
            );
        }
    }
    let servers = phonedeck(&sim, &config, &["servers", "list", "-o", "csv"]).await;
    assert!(servers.stdout.contains("'@SUM(1+1)"), "{}", servers.stdout);
    let table = phonedeck(&sim, &config, &["status"]).await;
    assert!(
        table.stdout.contains("\\u{202e}"),
        "shown escaped: {}",
        table.stdout
    );
    assert!(!table.stdout.contains('\u{202e}'), "never raw");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cell_of_any_length_prints_without_a_panic() {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "");
    let long_id = "p".repeat(100_000);
    for args in [
        vec!["status", long_id.as_str()],
        vec!["phones", "stop-streaming", long_id.as_str(), "--yes"],
    ] {
        let run = phonedeck(&sim, &config, &args).await;
        assert_ne!(run.code, 101, "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_goes_away_ends_a_list_quietly() {
    let sim = start_sim_sized(|size| size.phones = 5_000).await;
    let (_dir, config) = config_file(&sim, "");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--config")
        .arg(&config)
        .arg("status")
        .env("PD_TEST_TOKEN", &sim.credentials().token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // `phonedeck status | true`: the reader is gone before the first row is written.
    drop(child.stdout.take());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("joins")
        .expect("waits");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_found_twice_is_ambiguous_even_when_the_second_is_on_a_later_page() {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "");
    // The simulator's filter matches any part: "twin" finds 120 phones, two of them
    // named exactly "twin", on pages 1 and 2 of the filtered list.
    let (first, second) = sim.with_fleet(|fleet| {
        for (i, phone) in fleet.phones.iter_mut().enumerate().take(120) {
            phone.name = format!("twin-extra-{i}");
        }
        fleet.phones[0].name = "twin".into();
        fleet.phones[119].name = "twin".into();
        (fleet.phones[0].id.clone(), fleet.phones[119].id.clone())
    });
    let run = phonedeck(
        &sim,
        &config,
        &["phones", "stop-streaming", "twin", "--yes"],
    )
    .await;
    assert_eq!(run.code, 2, "ambiguous: {}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&first) && run.stderr.contains(&second),
        "{}",
        run.stderr
    );
    assert!(mutations(&sim).is_empty(), "nothing sent to either");
    let pages = sim
        .requests()
        .into_iter()
        .filter_map(|r| r.query)
        .filter(|q| q.contains("instance_name=twin"))
        .count();
    assert_eq!(pages, 2, "both pages of the filtered list were read");
}
