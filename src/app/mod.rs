//! The dashboard's pure core: state, messages, `update`, effects and the key map.
//! Nothing here touches the terminal or the network.

pub mod activity;
pub mod applies;
pub mod causes;
pub mod changes;
pub mod clock;
pub mod command_line;
pub mod counts;
pub mod effect;
pub mod export;
pub mod feed;
pub mod follow;
pub mod format;
pub mod history;
pub mod jobs;
pub mod key_action;
pub mod key_binding;
pub mod key_names;
pub mod keymap;
pub mod last_error;
pub mod layout;
pub mod line_editor;
pub mod message;
pub mod pane;
pub mod poll_result;
pub mod run_id;
pub mod settings;
pub mod state;
pub mod table;
pub mod update;

pub use clock::Clock;
pub use effect::Effect;
pub use message::Msg;
pub use pane::Pane;
pub use settings::Settings;
pub use state::{AppState, Mode};
pub use update::update;
