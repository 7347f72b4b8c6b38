//! Runs `update`'s effects as tokio tasks; each answers with messages.

use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;

use crate::actions::Executor;
use crate::app::{Effect, Msg};

/// Runs an effect as a task of its own.
pub fn spawn(effect: Effect, executor: &Executor, tx: &UnboundedSender<Msg>) {
    let executor = executor.clone();
    let tx = tx.clone();
    tokio::spawn(async move { perform(effect, &executor, &tx).await });
}

/// Carries out one effect, sending its answers to `tx` (tests await it directly).
pub async fn perform(effect: Effect, executor: &Executor, tx: &UnboundedSender<Msg>) {
    let renewals = executor.api.token_renewals();
    {
        let api = &executor.api;
        // A send fails only when the dashboard is gone; then nobody needs the answer.
        let _ = match effect {
            Effect::ListPhones => tx.send(Msg::PhonesListed(api.koophone().list_instances().await)),
            Effect::PollStatus(ids) => {
                tx.send(Msg::StatusPolled(api.koophone().batch_status(&ids).await))
            }
            Effect::ListStreams => tx.send(Msg::StreamsListed(api.live().list_all_streams().await)),
            Effect::ListEncoders => {
                tx.send(Msg::EncodersListed(api.cph().list_encode_servers().await))
            }
            Effect::ListServers => tx.send(Msg::ServersListed(api.compute().list_servers().await)),
            Effect::PollJobs(ids) => {
                let cph = api.cph();
                let jobs = futures::stream::iter(ids)
                    .map(|id| async {
                        let job = cph.job(&id).await;
                        (id, job)
                    })
                    .buffer_unordered(api.max_in_flight())
                    .collect()
                    .await;
                tx.send(Msg::JobsPolled(jobs))
            }
            Effect::RunAction {
                action,
                kind,
                targets,
            } => {
                let mut outcomes = std::pin::pin!(executor.run(kind, targets));
                while let Some((_, outcome)) = outcomes.next().await {
                    let _ = tx.send(Msg::ActionOutcome { action, outcome });
                }
                tx.send(Msg::ActionFinished { action })
            }
        };
    }
    if executor.api.token_renewals() > renewals {
        let _ = tx.send(Msg::Note("the token had expired and was renewed".into()));
    }
}
