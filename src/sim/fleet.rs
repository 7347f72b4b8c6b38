//! The simulated fleet and how it changes: phones, streams, compute servers, encode
//! servers and restart jobs. Pure state: time is passed in, so tests control it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::api::koophone::PhoneStatus;

#[derive(Debug, Clone)]
pub struct FleetSize {
    pub phones: usize,
    pub servers: usize,
    pub encoders: usize,
    pub streams: usize,
}

#[derive(Debug, Clone)]
pub struct Phone {
    pub id: String,
    pub name: String,
    pub region: &'static str,
    pub status: PhoneStatus,
    pub streaming: bool,
    /// Offline phones whose streaming was stopped come back: Starting, then Running.
    pending: Option<(Instant, PhoneStatus)>,
}

#[derive(Debug, Clone)]
pub struct LiveStream {
    pub domain: String,
    pub app: String,
    pub stream: String,
    pub video_bitrate: u32,
    pub video_frame_rate: u32,
    pub resolution: &'static str,
    pub client_ip: String,
    pub start_time: DateTime<Utc>,
    /// Blocked once: offline until the publisher pushes again.
    pub repush_at: Option<Instant>,
}

#[derive(Debug, Clone)]
pub struct Server {
    pub id: String,
    pub name: String,
    pub status: String,
    pub task_state: Option<String>,
    pub vm_state: String,
    pub power_state: i64,
    pending: Option<(Instant, ServerChange)>,
}

#[derive(Debug, Clone, Copy)]
enum ServerChange {
    Stopped,
    Started,
}

#[derive(Debug, Clone)]
pub struct Encoder {
    pub id: String,
    pub name: String,
    pub ip: String,
    pub server_id: String,
    pub status: i64,
    /// Restarts of this encoder fail (a broken host), so the failed path is exercised.
    pub faulty: bool,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub encoder_id: String,
    pub server_id: String,
    pub status: i64,
    pub begin_time: DateTime<Utc>,
    pub end_time: Option<DateTime<Utc>>,
    pub error: Option<(String, String)>,
    /// The `request_id` of the answer that started it: ListJobs finds jobs by it.
    pub request_id: String,
    due: Instant,
}

/// Why a mutation was refused, in the simulator's own words; the router maps it to
/// each service's error shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotFound(String),
    Conflict(String),
}

pub struct Fleet {
    pub phones: Vec<Phone>,
    phone_index: HashMap<String, usize>,
    /// Indices of phones with a pending transition.
    in_transition: Vec<usize>,
    pub streams: Vec<LiveStream>,
    pub servers: Vec<Server>,
    pub encoders: Vec<Encoder>,
    pub jobs: HashMap<String, Job>,
    /// How long asynchronous changes (power-off, restart, re-push) take.
    pub transition: Duration,
    /// Random phone status changes per second (0: a steady fleet).
    pub churn_per_sec: f64,
    churn_credit: f64,
    last_advance: Instant,
    rng: SmallRng,
}

const REGIONS: [&str; 2] = ["cn-north-4", "cn-east-3"];
const RESOLUTIONS: [&str; 3] = ["1280x720", "1920x1080", "720x1280"];

fn random_id(rng: &mut SmallRng, len: usize, alphabet: &[u8]) -> String {
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";

fn random_uuid(rng: &mut SmallRng) -> String {
    uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .to_string()
}

/// The status mix of a fleet in trouble: mostly Running, a band of Offline phones.
fn initial_phone_status(rng: &mut SmallRng, index: usize) -> PhoneStatus {
    if index == 13 {
        return PhoneStatus(7); // an undocumented status, so "Unknown(7)" is always on show
    }
    match rng.random_range(0..100) {
        0..=77 => PhoneStatus::RUNNING,
        78..=87 => PhoneStatus::OFFLINE,
        88..=91 => PhoneStatus::STOPPED,
        92..=94 => PhoneStatus::STARTING,
        95..=97 => PhoneStatus::SHUT_DOWN,
        _ => PhoneStatus::UNKNOWN,
    }
}

impl Fleet {
    pub fn generate(size: &FleetSize, domains: &[String], seed: u64, now: Instant) -> Fleet {
        let mut rng = SmallRng::seed_from_u64(seed);
        let phones: Vec<Phone> = (0..size.phones)
            .map(|i| {
                let status = initial_phone_status(&mut rng, i);
                Phone {
                    id: random_id(&mut rng, 8, LOWER_ALNUM),
                    name: format!("phone-{i:05}"),
                    region: REGIONS[i % REGIONS.len()],
                    streaming: status == PhoneStatus::RUNNING || status == PhoneStatus::OFFLINE,
                    status,
                    pending: None,
                }
            })
            .collect();
        let phone_index = phones
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        let started = Utc::now();
        let streams = (0..size.streams)
            .map(|i| LiveStream {
                domain: domains[i % domains.len().max(1)].clone(),
                app: "live".into(),
                stream: format!("room-{i:04}"),
                video_bitrate: 1500 + rng.random_range(0..2500),
                video_frame_rate: [24, 25, 30, 60][i % 4],
                resolution: RESOLUTIONS[i % RESOLUTIONS.len()],
                client_ip: format!("198.51.100.{}", 10 + i % 200),
                start_time: started - chrono::TimeDelta::seconds(rng.random_range(60..7200)),
                repush_at: None,
            })
            .collect();
        let servers: Vec<Server> = (0..size.servers)
            .map(|i| {
                let (status, vm_state, power) = match i {
                    3 => ("ERROR", "error", 0),
                    5 => ("SHUTOFF", "stopped", 4),
                    _ => ("ACTIVE", "active", 1),
                };
                Server {
                    id: random_uuid(&mut rng),
                    name: format!("cph-host-{:02}", i + 1),
                    status: status.into(),
                    task_state: None,
                    vm_state: vm_state.into(),
                    power_state: power,
                    pending: None,
                }
            })
            .collect();
        let encoders = (0..size.encoders)
            .map(|i| Encoder {
                id: random_id(&mut rng, 32, HEX),
                name: format!("encoder-{:02}", i + 1),
                ip: format!("192.0.2.{}", 20 + i % 200),
                server_id: servers
                    .get(i % servers.len().max(1))
                    .map(|s| s.id.clone())
                    .unwrap_or_default(),
                status: if i % 4 == 1 { 2 } else { 1 },
                faulty: i % 5 == 3,
            })
            .collect();
        Fleet {
            phones,
            phone_index,
            in_transition: Vec::new(),
            streams,
            servers,
            encoders,
            jobs: HashMap::new(),
            transition: Duration::from_secs(3),
            churn_per_sec: 0.0,
            churn_credit: 0.0,
            last_advance: now,
            rng,
        }
    }

    /// Puts terminal escape sequences (clear screen, set window title), a right-to-left
    /// override and spreadsheet formulas into names, as a hostile or broken provider
    /// might, so tests can check they are never executed.
    pub fn make_names_hostile(&mut self) {
        const CLEAR: &str = "\u{1b}[2J";
        const TITLE: &str = "\u{1b}]0;owned\u{7}";
        const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"open\")";
        const REVERSED: &str = "\u{202e}";
        for (i, phone) in self.phones.iter_mut().enumerate() {
            phone.name = match i % 6 {
                0 | 3 => format!("{TITLE}{}", phone.name),
                1 | 4 => format!("{CLEAR}{}", phone.name),
                2 => format!("{FORMULA}{}", phone.name),
                _ => format!("{REVERSED}{}", phone.name),
            };
        }
        for (i, server) in self.servers.iter_mut().enumerate() {
            let prefix = if i % 2 == 0 { TITLE } else { "@SUM(1+1)" };
            server.name = format!("{prefix}{}", server.name);
        }
        for stream in self.streams.iter_mut().step_by(2) {
            stream.stream = format!("{CLEAR}{}", stream.stream);
        }
    }

    pub fn phone(&self, id: &str) -> Option<&Phone> {
        self.phone_index.get(id).map(|&i| &self.phones[i])
    }

    /// Applies every change due by `now`: finished transitions and random churn.
    pub fn advance(&mut self, now: Instant) {
        // Only phones in transition are visited: every request advances the fleet,
        // and walking 100,000 phones each time would make the simulator the bottleneck.
        let transition = self.transition;
        let phones = &mut self.phones;
        self.in_transition.retain(|&i| {
            let phone = &mut phones[i];
            if let Some((due, status)) = phone.pending.filter(|(due, _)| *due <= now) {
                phone.status = status;
                phone.pending = (status == PhoneStatus::STARTING)
                    .then_some((due + transition, PhoneStatus::RUNNING));
            }
            phone.pending.is_some()
        });
        for stream in &mut self.streams {
            if stream.repush_at.is_some_and(|at| at <= now) {
                stream.repush_at = None;
                stream.start_time = Utc::now();
            }
        }
        for server in &mut self.servers {
            apply_server_change(server, now);
        }
        self.finish_jobs(now);
        self.churn(now);
    }

    fn churn(&mut self, now: Instant) {
        let elapsed = now
            .saturating_duration_since(self.last_advance)
            .as_secs_f64();
        self.last_advance = self.last_advance.max(now);
        if self.churn_per_sec <= 0.0 || self.phones.is_empty() {
            return;
        }
        self.churn_credit = (self.churn_credit + elapsed * self.churn_per_sec).min(1000.0);
        while self.churn_credit >= 1.0 {
            self.churn_credit -= 1.0;
            let i = self.rng.random_range(0..self.phones.len());
            let phone = &mut self.phones[i];
            if phone.pending.is_none() {
                phone.status = match phone.status {
                    PhoneStatus::RUNNING => PhoneStatus::OFFLINE,
                    _ => PhoneStatus::RUNNING,
                };
                phone.streaming = true;
            }
        }
    }

    fn finish_jobs(&mut self, now: Instant) {
        for job in self.jobs.values_mut() {
            if job.status != 1 || job.due > now {
                continue;
            }
            let Some(encoder) = self.encoders.iter_mut().find(|e| e.id == job.encoder_id) else {
                continue;
            };
            job.end_time = Some(Utc::now());
            if encoder.faulty {
                job.status = -1;
                job.error = Some((
                    "CPS.0242".into(),
                    format!(
                        "encode server {} did not come back after restart",
                        encoder.name
                    ),
                ));
                encoder.status = 2;
            } else {
                job.status = 2;
                encoder.status = 1;
            }
        }
    }

    pub fn stop_streaming(&mut self, id: &str, now: Instant) -> Result<(), Refusal> {
        let &index = self
            .phone_index
            .get(id)
            .ok_or_else(|| Refusal::NotFound(format!("instance {id} does not exist")))?;
        let phone = &mut self.phones[index];
        phone.streaming = false;
        if phone.status == PhoneStatus::OFFLINE && phone.pending.is_none() {
            phone.pending = Some((now + self.transition, PhoneStatus::STARTING));
            self.in_transition.push(index);
        }
        Ok(())
    }

    pub fn online_streams(&self) -> impl Iterator<Item = &LiveStream> {
        self.streams.iter().filter(|s| s.repush_at.is_none())
    }

    pub fn block_once(
        &mut self,
        domain: &str,
        app: &str,
        stream: &str,
        now: Instant,
    ) -> Result<(), Refusal> {
        let repush = now + self.transition * 2;
        let found = self.streams.iter_mut().find(|s| {
            s.repush_at.is_none() && s.domain == domain && s.app == app && s.stream == stream
        });
        match found {
            Some(s) => {
                s.repush_at = Some(repush);
                Ok(())
            }
            None => Err(Refusal::NotFound(format!(
                "stream {domain}/{app}/{stream} is not online"
            ))),
        }
    }

    fn server_mut(&mut self, id: &str) -> Result<&mut Server, Refusal> {
        self.servers
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or_else(|| Refusal::NotFound(format!("Instance {id} could not be found.")))
    }

    pub fn stop_server(&mut self, id: &str, now: Instant) -> Result<(), Refusal> {
        let transition = self.transition;
        let server = self.server_mut(id)?;
        if !matches!(server.vm_state.as_str(), "active" | "error") || server.task_state.is_some() {
            return Err(Refusal::Conflict(format!(
                "Cannot 'stop' instance {id} while it is in vm_state {}",
                server.vm_state
            )));
        }
        server.task_state = Some("powering-off".into());
        server.pending = Some((now + transition, ServerChange::Stopped));
        Ok(())
    }

    pub fn start_server(&mut self, id: &str, now: Instant) -> Result<(), Refusal> {
        let transition = self.transition;
        let server = self.server_mut(id)?;
        if server.vm_state != "stopped" || server.task_state.is_some() {
            return Err(Refusal::Conflict(format!(
                "Cannot 'start' instance {id} while it is in vm_state {}",
                server.vm_state
            )));
        }
        server.task_state = Some("powering-on".into());
        server.pending = Some((now + transition, ServerChange::Started));
        Ok(())
    }

    /// Starts a restart job for one encoder, under the request that asked, or says
    /// why not.
    pub fn restart_encoder(
        &mut self,
        id: &str,
        request_id: &str,
        now: Instant,
    ) -> Result<String, Refusal> {
        let job_id = random_id(&mut self.rng, 32, HEX);
        let encoder = self
            .encoders
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(|| Refusal::NotFound(format!("encode server {id} does not exist")))?;
        if encoder.status == 3 {
            return Err(Refusal::Conflict(format!(
                "encode server {id} is already restarting"
            )));
        }
        encoder.status = 3;
        let job = Job {
            id: job_id.clone(),
            encoder_id: encoder.id.clone(),
            server_id: encoder.server_id.clone(),
            status: 1,
            begin_time: Utc::now(),
            end_time: None,
            error: None,
            request_id: request_id.to_string(),
            due: now + self.transition,
        };
        self.jobs.insert(job_id.clone(), job);
        Ok(job_id)
    }
}

fn apply_server_change(server: &mut Server, now: Instant) {
    let Some((due, change)) = server.pending else {
        return;
    };
    if due > now {
        return;
    }
    server.pending = None;
    server.task_state = None;
    let (status, vm_state, power) = match change {
        ServerChange::Stopped => ("SHUTOFF", "stopped", 4),
        ServerChange::Started => ("ACTIVE", "active", 1),
    };
    server.status = status.into();
    server.vm_state = vm_state.into();
    server.power_state = power;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet(now: Instant) -> Fleet {
        let size = FleetSize {
            phones: 50,
            servers: 6,
            encoders: 5,
            streams: 4,
        };
        let mut fleet = Fleet::generate(&size, &["d.example.com".into()], 7, now);
        fleet.transition = Duration::from_secs(1);
        fleet
    }

    #[test]
    fn same_seed_same_fleet() {
        let now = Instant::now();
        let a = fleet(now);
        let b = fleet(now);
        assert_eq!(a.phones[0].id, b.phones[0].id);
        assert_eq!(a.phones[13].status, PhoneStatus(7));
    }

    #[test]
    fn server_powers_off_then_refuses_a_second_stop() {
        let now = Instant::now();
        let mut fleet = fleet(now);
        let id = fleet.servers[0].id.clone();
        fleet.stop_server(&id, now).expect("stops");
        assert_eq!(fleet.servers[0].task_state.as_deref(), Some("powering-off"));
        assert!(matches!(
            fleet.stop_server(&id, now),
            Err(Refusal::Conflict(_))
        ));
        fleet.advance(now + Duration::from_secs(2));
        assert_eq!(fleet.servers[0].status, "SHUTOFF");
        assert!(matches!(
            fleet.stop_server(&id, now),
            Err(Refusal::Conflict(_))
        ));
        fleet.start_server(&id, now).expect("starts");
    }

    #[test]
    fn blocked_stream_drops_and_is_pushed_again() {
        let now = Instant::now();
        let mut fleet = fleet(now);
        let s = fleet.streams[0].clone();
        fleet
            .block_once(&s.domain, &s.app, &s.stream, now)
            .expect("blocks");
        assert_eq!(fleet.online_streams().count(), 3);
        fleet.advance(now + Duration::from_secs(3));
        assert_eq!(fleet.online_streams().count(), 4);
    }

    #[test]
    fn restart_jobs_succeed_or_fail_on_faulty_encoders() {
        let now = Instant::now();
        let mut fleet = fleet(now);
        let good = fleet
            .restart_encoder(&fleet.encoders[0].id.clone(), "r1", now)
            .expect("job");
        let bad = fleet
            .restart_encoder(&fleet.encoders[3].id.clone(), "r1", now)
            .expect("job");
        assert_eq!(fleet.encoders[0].status, 3);
        fleet.advance(now + Duration::from_secs(2));
        assert_eq!(fleet.jobs[&good].status, 2);
        assert_eq!(fleet.jobs[&bad].status, -1);
        assert_eq!(fleet.encoders[3].status, 2);
    }

    #[test]
    fn stopping_streaming_of_an_offline_phone_brings_it_back() {
        let now = Instant::now();
        let mut fleet = fleet(now);
        let offline = fleet
            .phones
            .iter()
            .find(|p| p.status == PhoneStatus::OFFLINE)
            .expect("an offline phone")
            .id
            .clone();
        fleet.stop_streaming(&offline, now).expect("stops");
        fleet.advance(now + Duration::from_millis(1500));
        assert_eq!(
            fleet.phone(&offline).map(|p| p.status),
            Some(PhoneStatus::STARTING)
        );
        fleet.advance(now + Duration::from_millis(2500));
        assert_eq!(
            fleet.phone(&offline).map(|p| p.status),
            Some(PhoneStatus::RUNNING)
        );
    }
}
