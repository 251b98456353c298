//! The challenge-time edits an installer's http-01 solver keeps open from
//! `present` to `cleanup`: one temporary transaction, always rolled back,
//! also by the next run's recovery if this one dies first.
//!
//! A solver whose caller reloads the server anyway right after (`run`: the
//! certificate's install) may undo the edits without reloading
//! ([`TempEdits::undo_owing_reload`]): the reload is then owed, and the debt is
//! kept on disk as the temporary transaction itself, left pending with only its
//! reload record, so that a crash before the caller's reload still gets the
//! server reloaded by the next start's recovery.

use crate::acme::SolveError;
use reverter::{Kind, Reverter, Transaction, UndoAction};

pub struct TempEdits<'r> {
    /// Lent to the open transaction while there is one.
    reverter: Option<&'r mut Reverter>,
    open: Option<Transaction<'r>>,
    /// A reload is owed: its record is pending on disk (see the module doc).
    owed: bool,
}

impl<'r> TempEdits<'r> {
    pub fn new(reverter: &'r mut Reverter) -> Self {
        TempEdits {
            reverter: Some(reverter),
            open: None,
            owed: false,
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
        if std::mem::take(&mut self.owed) {
            // A second order: the reload that follows these edits pays the debt.
            reverter.recover().map_err(|e| message(e.to_string()))?;
        }
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

    /// [`TempEdits::undo`] without the reload that should follow: the
    /// transaction is undone but left pending with its reload record alone
    /// (`Transaction::rollback_keep_actions`), owed to the caller's next reload,
    /// which takes it first ([`take_owed_reload`]). On error the whole
    /// transaction stays pending: the caller's recovery finishes it.
    pub fn undo_owing_reload(&mut self) -> Result<bool, SolveError> {
        let Some(tx) = self.open.take() else {
            return Ok(false);
        };
        let title = format!("{}: edits undone, reload owed", tx.title());
        let (result, reverter) = tx.rollback_keep_actions(&title);
        self.reverter = Some(reverter);
        self.owed = true;
        result.map_err(|e| message(format!("undoing the challenge edits: {e}")))?;
        Ok(true)
    }
}

/// Take a reload a solver left owed ([`TempEdits::undo_owing_reload`]) off the disk:
/// `true` when one was pending. Call it right before reloading that server.
pub fn take_owed_reload(reverter: &mut Reverter) -> Result<bool, reverter::Error> {
    Ok(reverter.recover()?.is_some_and(|r| {
        r.summary
            .actions
            .iter()
            .any(|a| matches!(a, UndoAction::ReloadServer { .. }))
    }))
}

fn message(text: String) -> SolveError {
    SolveError::Message(text)
}
