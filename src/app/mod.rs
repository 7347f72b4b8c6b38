//! The dashboard's pure core: state, messages, `update`, effects and the key map.
//! Nothing here touches the terminal or the network.

pub mod activity;
pub mod clock;
pub mod command_line;
pub mod counts;
pub mod effect;
pub mod export;
pub mod history;
pub mod keymap;
pub mod layout;
pub mod message;
pub mod poll_plan;
pub mod rows;
pub mod state;
pub mod table;
pub mod update;

pub use clock::Clock;
pub use effect::Effect;
pub use message::Msg;
pub use state::{AppState, Mode, Pane, Settings};
pub use update::update;
