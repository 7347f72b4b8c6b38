//! The contract corpus: official example bodies, and bodies built from the official SDK
//! models where no example exists (tests/contract/PROVENANCE.md says which). Every
//! parser must read every body of its kind as the source means it. A body added to the
//! folder without an expectation here fails the test, so none is read by nobody.

use std::collections::BTreeMap;
use std::path::Path;

use phonedeck::api::Service;
use phonedeck::api::compute::{parse_server, parse_server_page};
use phonedeck::api::cph::{
    JobStatus, parse_encode_servers, parse_job, parse_jobs, parse_restart_reply,
};
use phonedeck::api::envelope::failure_in_success;
use phonedeck::api::koophone::{
    PhoneStatus, parse_envelope, parse_instance_page, parse_instance_record, parse_status_results,
};
use phonedeck::api::live::parse_stream_page;
use phonedeck::api::transport::error_from_body;

fn corpus() -> BTreeMap<String, Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contract");
    std::fs::read_dir(&dir)
        .expect("tests/contract exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("readable"))
        })
        .collect()
}

/// What reading one body must give; panics with the reason otherwise.
fn check(name: &str, body: &[u8]) {
    let kind = name.split('.').next().unwrap_or_default();
    match kind {
        "koophone-status" => {
            let results = parse_status_results(body).expect("parses");
            assert_eq!(results.len(), 1);
            assert_eq!(results[0].instance_id, "a44uhlf7");
            assert_eq!(results[0].status, Some(PhoneStatus::UNKNOWN));
        }
        "koophone-envelope" => {
            parse_envelope::<serde_json::Value>(body).expect("a success envelope");
        }
        "koophone-list" => check_instance_list(name, body),
        "live-streams" => {
            let page = parse_stream_page(body).expect("parses");
            assert_eq!(page.streams.len(), 1);
            assert_eq!(page.streams[0].stream, "huawei");
            assert_eq!(page.total_num, Some(1));
            assert_eq!(page.total_page, Some(1));
        }
        "compute-servers" => {
            let page = parse_server_page(body).expect("parses");
            assert_eq!(page.servers.len(), 1);
            assert_eq!(page.servers.dropped, 0);
            let server = &page.servers[0];
            if name.contains("down-cell") {
                assert_eq!(server.status.as_ref().map(|s| s.as_str()), Some("UNKNOWN"));
                assert_eq!(server.name, "", "a down-cell server has no name");
                assert!(!page.has_next());
            } else {
                assert_eq!(server.name, "new-server-test");
                assert_eq!(server.vm_state.as_deref(), Some("active"));
                assert!(page.has_next(), "servers_links has a next link");
                // The fields phonedeck does not model are kept for the detail view.
                for field in [
                    "flavor",
                    "addresses",
                    "created",
                    "OS-EXT-AZ:availability_zone",
                ] {
                    assert!(server.other.contains_key(field), "{field}");
                }
            }
        }
        "compute-server" => {
            let server = parse_server(body).expect("parses");
            assert_eq!(server.id, "9168b536-cd40-4630-b43f-b259807c6e87");
            assert_eq!(server.status.as_ref().map(|s| s.as_str()), Some("ACTIVE"));
            assert_eq!(server.task_state, None, "an explicit null");
        }
        "cph-encoders" => {
            let encoders = parse_encode_servers(body).expect("parses");
            assert_eq!(encoders.len(), 3, "thin rows are kept");
            assert_eq!(encoders[0].encode_server_name, "encode-01");
            assert!(encoders[0].other.contains_key("access_infos"));
            assert!(encoders[0].other.contains_key("keypair_name"));
            let labels: Vec<String> = encoders
                .iter()
                .map(|e| phonedeck::api::tolerant::label(e.status, |s| s.name()))
                .collect();
            assert_eq!(labels, ["Running", "Creating (4)", "-"]);
        }
        "cph-restart" => {
            let reply = parse_restart_reply(body).expect("parses");
            assert_eq!(reply.jobs.len(), 2);
            assert!(reply.jobs.iter().all(|j| j.job_id.is_some()));
        }
        "cph-job" => {
            let job = parse_job(body).expect("explicit nulls are read as absent");
            assert_eq!(job.status, Some(JobStatus::SUCCESS));
            assert_eq!(job.error_code, None);
            assert!(job.is_finished());
        }
        "cph-jobs" => {
            let jobs = parse_jobs(body).expect("parses");
            assert_eq!(jobs.len(), 2, "the job without an id is dropped");
            assert_eq!(jobs.dropped, 1);
            assert_eq!(jobs[0].status, Some(JobStatus::RUNNING));
            assert_eq!(jobs[0].encode_server_id, None, "absent from the SDK model");
            assert_eq!(jobs[1].encode_server_id.as_deref(), Some("enc-2"));
            assert_eq!(jobs[1].status, Some(JobStatus::FAILED));
        }
        "live-error-400" => {
            let error = error_from_body(Service::Live, 400, body);
            assert_eq!(error.code.as_deref(), Some("LIVE.100011001"));
            assert_eq!(error.message, "Request Illegal");
        }
        "compute-error-400" | "compute-error-409" | "compute-error-413" => {
            let status: u16 = kind
                .trim_start_matches("compute-error-")
                .parse()
                .expect("status");
            let error = error_from_body(Service::Compute, status, body);
            let fault = match status {
                400 => "badRequest",
                409 => "conflictingRequest",
                _ => "overLimit",
            };
            assert_eq!(error.code, Some(format!("{fault} ({status})")));
            assert!(!error.message.is_empty());
            assert_eq!(error.is_throttled(), status == 413);
            assert_eq!(error.is_retryable_read(), status == 413);
        }
        "live-ok-with-error"
        | "cph-ok-with-error"
        | "compute-ok-with-error"
        | "koophone-ok-with-error" => check_failure_in_success(name, kind, body),
        other => panic!("{name}: no expectation for bodies of kind `{other}`; add one"),
    }
}

/// A 2xx answer whose body says the request failed: a failure, never `ok` (and for a
/// list never an empty fleet), with the provider's code where it gives one.
fn check_failure_in_success(name: &str, kind: &str, body: &[u8]) {
    let service = match kind.split('-').next() {
        Some("live") => Service::Live,
        Some("cph") => Service::Cph,
        Some("compute") => Service::Compute,
        _ => Service::KooPhone,
    };
    let error = failure_in_success(service, 200, body).expect("a failure");
    assert!(!error.outcome_unknown(), "the service said it failed");
    let code = match kind {
        "live-ok-with-error" => Some("LIVE.100011001"),
        "cph-ok-with-error" => Some("CPS.0005"),
        "compute-ok-with-error" => Some("conflictingRequest (409)"),
        _ if name.contains("message-without-code") => None,
        _ => Some("KOOPHONE.API.1001"),
    };
    assert_eq!(error.code.as_deref(), code);
}

fn check_instance_list(name: &str, body: &[u8]) {
    if name.contains("error-inside-data") {
        let error = failure_in_success(Service::KooPhone, 200, body)
            .expect("an error, never an empty fleet");
        assert_eq!(error.code.as_deref(), Some("KOOPHONE.API.1001"));
        assert_eq!(error.message, "Insufficient instance permissions");
        return;
    }
    let page = parse_instance_page(body, 1, 100).expect("parses");
    let (rows, total) = (page.rows, page.total);
    if name.contains("sparse") {
        assert_eq!(total, Some(4));
        assert_eq!(rows.len(), 3, "rows missing optional fields are kept");
        assert_eq!(rows.dropped, 1, "the row without an id is counted");
        assert_eq!(rows[1].instance_name, "");
        assert_eq!(rows[1].running_status, None);
        assert_eq!(rows[2].running_status, Some(PhoneStatus::OFFLINE));
    } else {
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].instance_name, "phone-001");
        assert_eq!(rows[0].running_status, Some(PhoneStatus::RUNNING));
        // The detail view's read keeps every one of the model's 21 fields.
        let record = parse_instance_record(body, "a44uhlf7")
            .expect("parses")
            .expect("the phone is listed");
        assert_eq!(record.len(), 21, "{record:?}");
        assert_eq!(record["billing_mode"], "ONDEMAND");
        assert_eq!(parse_instance_record(body, "other").expect("parses"), None);
    }
}

#[test]
fn every_parser_reads_every_body_of_the_corpus() {
    let corpus = corpus();
    assert!(corpus.len() >= 16, "the corpus is there: {}", corpus.len());
    for (name, body) in &corpus {
        let outcome = std::panic::catch_unwind(|| check(name, body));
        assert!(
            outcome.is_ok(),
            "{name} was not read as its source means it"
        );
    }
}

#[test]
fn every_body_has_its_provenance() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contract");
    let provenance = std::fs::read_to_string(dir.join("PROVENANCE.md")).expect("PROVENANCE.md");
    for name in corpus().keys() {
        assert!(
            provenance.contains(name.as_str()),
            "{name} has no provenance line"
        );
    }
}
