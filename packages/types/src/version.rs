//! The migrate rule both contracts share: same contract, never backwards.

use thiserror::Error;

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum MigrateError {
    #[error("cannot migrate from contract {found:?}: this code is {expected:?}")]
    WrongContract { expected: String, found: String },
    #[error("cannot migrate from version {from} to older version {to}")]
    Downgrade { from: String, to: String },
    #[error("version {0:?} is not major.minor.patch")]
    InvalidVersion(String),
    #[error("cannot migrate from version {from}: the storage layout changed in {layout}, deploy a new {contract}")]
    LayoutChanged {
        from: String,
        layout: String,
        contract: String,
    },
}

fn parse(version: &str) -> Result<(u64, u64, u64), MigrateError> {
    let invalid = || MigrateError::InvalidVersion(version.to_string());
    let mut parts = version
        .split('.')
        .map(|part| part.parse::<u64>().map_err(|_| invalid()));
    let parsed = (
        parts.next().ok_or_else(invalid)??,
        parts.next().ok_or_else(invalid)??,
        parts.next().ok_or_else(invalid)??,
    );
    if parts.next().is_some() {
        return Err(invalid());
    }
    Ok(parsed)
}

/// Checks that a contract stored as (`stored_name`, `stored_version`) may migrate to this
/// code (`name`, `version`): the same contract, at the same or a newer version.
pub fn check_migration(
    stored_name: &str,
    stored_version: &str,
    name: &str,
    version: &str,
) -> Result<(), MigrateError> {
    if stored_name != name {
        return Err(MigrateError::WrongContract {
            expected: name.to_string(),
            found: stored_name.to_string(),
        });
    }
    if parse(version)? < parse(stored_version)? {
        return Err(MigrateError::Downgrade {
            from: stored_version.to_string(),
            to: version.to_string(),
        });
    }
    Ok(())
}

/// `check_migration`, and the stored version must be at least `layout`, the version whose
/// storage layout this code reads: an older store would be misread, not migrated.
/// `contract` names the contract in the error ("outbox", "inbox").
pub fn check_migration_from_layout(
    stored_name: &str,
    stored_version: &str,
    name: &str,
    version: &str,
    layout: &str,
    contract: &str,
) -> Result<(), MigrateError> {
    check_migration(stored_name, stored_version, name, version)?;
    if parse(stored_version)? < parse(layout)? {
        return Err(MigrateError::LayoutChanged {
            from: stored_version.to_string(),
            layout: layout.to_string(),
            contract: contract.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_or_newer_version_of_the_same_contract() {
        check_migration("c", "0.1.0", "c", "0.1.0").unwrap();
        check_migration("c", "0.1.9", "c", "0.2.0").unwrap();
        check_migration("c", "0.9.0", "c", "0.10.0").unwrap();
        assert_eq!(
            check_migration("c", "0.2.0", "c", "0.1.9").unwrap_err(),
            MigrateError::Downgrade {
                from: "0.2.0".into(),
                to: "0.1.9".into()
            }
        );
        assert_eq!(
            check_migration("other", "0.1.0", "c", "0.1.0").unwrap_err(),
            MigrateError::WrongContract {
                expected: "c".into(),
                found: "other".into()
            }
        );
        assert_eq!(
            check_migration("c", "1.0", "c", "1.0.0").unwrap_err(),
            MigrateError::InvalidVersion("1.0".into())
        );
        assert_eq!(
            check_migration("c", "1.0.0-rc1", "c", "1.0.0").unwrap_err(),
            MigrateError::InvalidVersion("1.0.0-rc1".into())
        );
    }

    #[test]
    fn a_store_older_than_the_layout_is_refused() {
        check_migration_from_layout("c", "0.3.0", "c", "0.3.1", "0.3.0", "inbox").unwrap();
        assert_eq!(
            check_migration_from_layout("c", "0.2.9", "c", "0.3.1", "0.3.0", "inbox").unwrap_err(),
            MigrateError::LayoutChanged {
                from: "0.2.9".into(),
                layout: "0.3.0".into(),
                contract: "inbox".into()
            }
        );
        assert_eq!(
            check_migration_from_layout("c", "0.2.9", "c", "0.3.1", "0.3.0", "inbox")
                .unwrap_err()
                .to_string(),
            "cannot migrate from version 0.2.9: the storage layout changed in 0.3.0, deploy a new inbox"
        );
        // The contract and downgrade rules still come first.
        assert!(matches!(
            check_migration_from_layout("x", "0.1.0", "c", "0.3.1", "0.3.0", "inbox"),
            Err(MigrateError::WrongContract { .. })
        ));
    }
}
