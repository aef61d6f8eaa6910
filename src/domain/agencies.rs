//! The registry-code conventions of agencies, in one place: which code the
//! regional government, inspectorate, Gakkumdu centre or Bawaslu office of a
//! region has, and the codes of the national receivers. Reference data,
//! routing, the workflow and the generators all build codes here.

/// Badan Kepegawaian Negara.
pub const BKN: &str = "BKN";
/// The armed forces (receiver of TNI members' cases).
pub const TNI: &str = "TNI";
/// The national police (receiver of Polri members' cases).
pub const POLRI: &str = "POLRI";
/// Bawaslu RI, the national office.
pub const BAWASLU_RI: &str = "BAWASLU";

/// The regional government (pemerintah daerah) of province or kabupaten/kota `region`.
pub fn pemda(region: &str) -> String {
    format!("PEMDA-{region}")
}

/// The inspectorate of the government of `region`.
pub fn inspectorate(region: &str) -> String {
    format!("INSPEKTORAT-{region}")
}

/// The Gakkumdu centre (integrated law enforcement) at `region`.
pub fn gakkumdu(region: &str) -> String {
    format!("GAKKUMDU-{region}")
}

/// The Bawaslu office of `region` (province, kabupaten/kota or kecamatan).
pub fn bawaslu(region: &str) -> String {
    format!("BAWASLU-{region}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_registry() {
        assert_eq!(pemda("16.73"), "PEMDA-16.73");
        assert_eq!(inspectorate("16"), "INSPEKTORAT-16");
        assert_eq!(gakkumdu("16.02"), "GAKKUMDU-16.02");
        assert_eq!(bawaslu("16.73.01"), "BAWASLU-16.73.01");
    }
}
