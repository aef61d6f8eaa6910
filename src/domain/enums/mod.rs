//! The closed vocabularies of the domain (BRIEF §4, §6, §7), shared by the
//! database and the API.
//!
//! Each enumeration is stored as its SCREAMING_SNAKE_CASE name (a string column,
//! portable across SQLite and PostgreSQL) and exposed to GraphQL under the same
//! name. Deriving both on one type is deliberate: two copies of the same list
//! would drift, and the stored value *is* the wire value. No logic lives here
//! beyond small, pure facts about a value. The lists are grouped by what
//! they describe: `reference`, `case`, `sanction`.

/// Declares a string-backed enumeration usable as a sea-orm column and as a
/// GraphQL enum. Every variant's stored value is its GraphQL name.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
        pub enum $name {
            $( $(#[$vmeta])* #[sea_orm(string_value = $value)] #[graphql(name = $value)] $variant ),+
        }

        impl $name {
            /// The stored (and GraphQL) name of this value.
            pub fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $value ),+ }
            }
        }
    };
}

mod case;
mod reference;
mod sanction;

pub use self::case::*;
pub use self::reference::*;
pub use self::sanction::*;
