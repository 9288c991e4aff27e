//! Two-step ownership, written once for every CCMP contract: the owner proposes, the new
//! owner accepts, so a typo can never hand a contract to an address nobody controls.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::Addr;

use crate::error::OwnershipError;

#[cw_serde]
pub struct Ownership {
    /// `None` once renounced: the contract then has no owner, for good.
    pub owner: Option<Addr>,
    pub pending_owner: Option<Addr>,
}

impl Ownership {
    pub fn new(owner: Addr) -> Self {
        Ownership {
            owner: Some(owner),
            pending_owner: None,
        }
    }

    pub fn assert_owner(&self, sender: &Addr) -> Result<(), OwnershipError> {
        match &self.owner {
            None => Err(OwnershipError::NoOwner),
            Some(owner) if owner == sender => Ok(()),
            Some(_) => Err(OwnershipError::NotOwner),
        }
    }

    /// Proposes `new_owner`; replaces any earlier proposal.
    pub fn transfer(&mut self, sender: &Addr, new_owner: Addr) -> Result<(), OwnershipError> {
        self.assert_owner(sender)?;
        self.pending_owner = Some(new_owner);
        Ok(())
    }

    pub fn accept(&mut self, sender: &Addr) -> Result<(), OwnershipError> {
        match &self.pending_owner {
            None => Err(OwnershipError::NoPendingTransfer),
            Some(pending) if pending == sender => {
                self.owner = self.pending_owner.take();
                Ok(())
            }
            Some(_) => Err(OwnershipError::NotPendingOwner),
        }
    }

    /// Withdraws a pending proposal.
    pub fn cancel(&mut self, sender: &Addr) -> Result<(), OwnershipError> {
        self.assert_owner(sender)?;
        if self.pending_owner.take().is_none() {
            return Err(OwnershipError::NoPendingTransfer);
        }
        Ok(())
    }

    /// Gives up ownership for good, and any pending proposal with it.
    pub fn renounce(&mut self, sender: &Addr) -> Result<(), OwnershipError> {
        self.assert_owner(sender)?;
        self.owner = None;
        self.pending_owner = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(name: &str) -> Addr {
        Addr::unchecked(name)
    }

    #[test]
    fn hand_over_needs_both_steps() {
        let mut ownership = Ownership::new(addr("alice"));
        assert_eq!(
            ownership.transfer(&addr("bob"), addr("bob")),
            Err(OwnershipError::NotOwner)
        );
        ownership.transfer(&addr("alice"), addr("bob")).unwrap();
        // Proposed is not owner yet.
        assert_eq!(
            ownership.assert_owner(&addr("bob")),
            Err(OwnershipError::NotOwner)
        );
        assert_eq!(
            ownership.accept(&addr("carol")),
            Err(OwnershipError::NotPendingOwner)
        );
        ownership.accept(&addr("bob")).unwrap();
        assert_eq!(
            ownership,
            Ownership {
                owner: Some(addr("bob")),
                pending_owner: None
            }
        );
        assert_eq!(
            ownership.accept(&addr("bob")),
            Err(OwnershipError::NoPendingTransfer)
        );
    }

    #[test]
    fn cancel_and_renounce() {
        let mut ownership = Ownership::new(addr("alice"));
        assert_eq!(
            ownership.cancel(&addr("alice")),
            Err(OwnershipError::NoPendingTransfer)
        );
        ownership.transfer(&addr("alice"), addr("bob")).unwrap();
        ownership.cancel(&addr("alice")).unwrap();
        assert_eq!(
            ownership.accept(&addr("bob")),
            Err(OwnershipError::NoPendingTransfer)
        );
        ownership.transfer(&addr("alice"), addr("bob")).unwrap();
        ownership.renounce(&addr("alice")).unwrap();
        assert_eq!(
            ownership,
            Ownership {
                owner: None,
                pending_owner: None
            }
        );
        assert_eq!(
            ownership.assert_owner(&addr("alice")),
            Err(OwnershipError::NoOwner)
        );
        assert_eq!(
            ownership.accept(&addr("bob")),
            Err(OwnershipError::NoPendingTransfer)
        );
    }
}
