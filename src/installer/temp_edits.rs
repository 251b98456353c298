//! The challenge-time edits an installer's http-01 solver keeps open from
//! `present` to `cleanup`: one temporary transaction, always rolled back,
//! also by the next run's recovery if this one dies first.

use crate::acme::SolveError;
use reverter::{Kind, Reverter, Transaction, UndoAction};

pub struct TempEdits<'r> {
    /// Lent to the open transaction while there is one.
    reverter: Option<&'r mut Reverter>,
    open: Option<Transaction<'r>>,
}

impl<'r> TempEdits<'r> {
    pub fn new(reverter: &'r mut Reverter) -> Self {
        TempEdits {
            reverter: Some(reverter),
            open: None,
        }
    }

    /// Open the transaction for the challenges of `names`, recording
    /// `reload` before anything is written: a crash after any write finds
    /// it, and the recovery reloads the server once the edits are undone.
    pub fn begin(
        &mut self,
        names: &[&str],
        reload: UndoAction,
    ) -> Result<&mut Transaction<'r>, SolveError> {
        let reverter = self
            .reverter
            .take()
            .ok_or_else(|| message("internal error: challenge edits already open".into()))?;
        let title = format!("http-01 challenge for {} (temporary)", names.join(", "));
        let tx = reverter
            .begin(Kind::Temporary, &title)
            .map_err(|e| message(e.to_string()))?;
        let tx = self.open.insert(tx);
        tx.record(reload).map_err(|e| message(e.to_string()))?;
        Ok(tx)
    }

    /// Undo the open transaction, if any (`Ok(false)`: none was open), and
    /// keep the reverter for the next `begin`.
    pub fn undo(&mut self) -> Result<bool, SolveError> {
        let Some(tx) = self.open.take() else {
            return Ok(false);
        };
        let (result, reverter) = tx.rollback_release();
        self.reverter = Some(reverter);
        result.map_err(|e| message(format!("undoing the challenge edits: {e}")))?;
        Ok(true)
    }
}

fn message(text: String) -> SolveError {
    SolveError::Message(text)
}
