//! More typed codeset 0 information elements: subaddresses, date/time,
//! keypad facility, signal, high and low layer compatibility, notification
//! indicator and facility.
//!
//! Same conventions as [`super::ie_types`]: `parse(contents)` takes the
//! contents without identifier and length octets and says why invalid
//! contents are invalid; `contents()` encodes, masking fields to their bit
//! width. Where the wire form has bits the model does not keep (spare bits
//! set, extension bits in unexpected places, trailing octets a fixed-length
//! IE does not define), the encoding differs from the input and
//! [`super::IeRepr::parse`] keeps the IE as [`super::IeRepr::Opaque`] bytes,
//! so message round trips stay exact.

use super::ie_types::ia5_lossy;
use super::names::{notification_name, signal_name};

/// Calling party subaddress (0x6D) / called party subaddress (0x71), Q.931
/// clauses 4.5.9 and 4.5.11.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subaddress {
    /// Type of subaddress (3 bits; 0 = NSAP (X.213 / ISO 8348 AD2),
    /// 2 = user specified).
    pub kind: u8,
    /// Odd/even indicator: `true` = odd number of address signals (only
    /// meaningful for user-specified BCD subaddresses).
    pub odd: bool,
    /// Subaddress information (octets 4..). For NSAP the first octet is the
    /// AFI (0x50 = local IA5 format, followed by IA5 characters).
    pub info: Vec<u8>,
}

impl Subaddress {
    /// NSAP subaddress type.
    pub const NSAP: u8 = 0;
    /// User-specified subaddress type.
    pub const USER_SPECIFIED: u8 = 2;
    /// NSAP AFI for the local IA5 format.
    pub const AFI_LOCAL_IA5: u8 = 0x50;

    /// NSAP subaddress in local IA5 format (AFI 0x50) carrying `digits`.
    pub fn nsap_ia5(digits: &str) -> Subaddress {
        let mut info = vec![Subaddress::AFI_LOCAL_IA5];
        info.extend_from_slice(digits.as_bytes());
        Subaddress {
            kind: Subaddress::NSAP,
            odd: false,
            info,
        }
    }

    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<Subaddress, &'static str> {
        let (&o3, info) = data.split_first().ok_or("subaddress is empty")?;
        Ok(Subaddress {
            kind: (o3 >> 4) & 0x07,
            odd: o3 & 0x08 != 0,
            info: info.to_vec(),
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        let odd = if self.odd { 0x08 } else { 0 };
        let mut out = vec![0x80 | (self.kind & 0x07) << 4 | odd];
        out.extend_from_slice(&self.info);
        Ok(out)
    }

    /// The IA5 characters of an NSAP subaddress in local IA5 format (AFI
    /// 0x50), non-printable octets replaced; `None` for other subaddresses.
    pub fn ia5_text(&self) -> Option<String> {
        match self.info.split_first() {
            Some((&Subaddress::AFI_LOCAL_IA5, rest)) if self.kind == Subaddress::NSAP => {
                Some(ia5_lossy(rest))
            }
            _ => None,
        }
    }
}

/// Date/time (0x29), Q.931 clause 4.5.15: binary coded year (last two
/// digits), month, day and optional hour, minute and second. Each optional
/// field requires the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// Year within the century (0..=99; 26 means 2026).
    pub year: u8,
    /// Month (1..=12).
    pub month: u8,
    /// Day of the month (1..=31).
    pub day: u8,
    /// Hour (0..=23), octet 6.
    pub hour: Option<u8>,
    /// Minute (0..=59), octet 7; requires `hour`.
    pub minute: Option<u8>,
    /// Second (0..=59), octet 8; requires `minute`.
    pub second: Option<u8>,
}

impl DateTime {
    /// Date and time to the minute (5 octets, the usual network form).
    pub fn new(year: u8, month: u8, day: u8, hour: u8, minute: u8) -> DateTime {
        DateTime {
            year,
            month,
            day,
            hour: Some(hour),
            minute: Some(minute),
            second: None,
        }
    }

    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<DateTime, &'static str> {
        if data.len() < 3 {
            return Err("date/time shorter than 3 octets");
        }
        if data.len() > 6 {
            return Err("date/time longer than 6 octets");
        }
        let v = DateTime {
            year: data[0],
            month: data[1],
            day: data[2],
            hour: data.get(3).copied(),
            minute: data.get(4).copied(),
            second: data.get(5).copied(),
        };
        v.check()?;
        Ok(v)
    }

    fn check(&self) -> Result<(), &'static str> {
        if self.year > 99 {
            return Err("date/time year out of range (0..=99)");
        }
        if !(1..=12).contains(&self.month) {
            return Err("date/time month out of range (1..=12)");
        }
        if !(1..=31).contains(&self.day) {
            return Err("date/time day out of range (1..=31)");
        }
        if self.hour.is_some_and(|h| h > 23) {
            return Err("date/time hour out of range (0..=23)");
        }
        if self.minute.is_some_and(|m| m > 59) {
            return Err("date/time minute out of range (0..=59)");
        }
        if self.second.is_some_and(|s| s > 59) {
            return Err("date/time second out of range (0..=59)");
        }
        if self.minute.is_some() && self.hour.is_none() {
            return Err("date/time minute without hour");
        }
        if self.second.is_some() && self.minute.is_none() {
            return Err("date/time second without minute");
        }
        Ok(())
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        self.check()?;
        let mut out = vec![self.year, self.month, self.day];
        out.extend(self.hour);
        out.extend(self.minute);
        out.extend(self.second);
        Ok(out)
    }

    /// The four-digit year (2000 + `year`).
    pub fn full_year(&self) -> u16 {
        2000 + u16::from(self.year)
    }
}

impl std::fmt::Display for DateTime {
    /// `YYYY-MM-DD[ HH[:MM[:SS]]]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:02}-{:02}", self.full_year(), self.month, self.day)?;
        if let Some(h) = self.hour {
            write!(f, " {h:02}")?;
            if let Some(m) = self.minute {
                write!(f, ":{m:02}")?;
                if let Some(s) = self.second {
                    write!(f, ":{s:02}")?;
                }
            } else {
                write!(f, "h")?;
            }
        }
        Ok(())
    }
}

/// Keypad facility (0x2C), Q.931 clause 4.5.18: IA5 characters (digits,
/// `*`, `#`, ...) entered on the terminal keypad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeypadFacility {
    /// IA5 characters (7-bit, at least one).
    pub digits: Vec<u8>,
}

impl KeypadFacility {
    /// Keypad facility carrying `digits`.
    pub fn new(digits: &str) -> KeypadFacility {
        KeypadFacility {
            digits: digits.as_bytes().to_vec(),
        }
    }

    fn check(digits: &[u8]) -> Result<(), &'static str> {
        if digits.is_empty() {
            return Err("keypad facility is empty");
        }
        if digits.iter().any(|b| b & 0x80 != 0) {
            return Err("keypad facility octet is not IA5 (bit 8 set)");
        }
        Ok(())
    }

    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<KeypadFacility, &'static str> {
        KeypadFacility::check(data)?;
        Ok(KeypadFacility {
            digits: data.to_vec(),
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        KeypadFacility::check(&self.digits)?;
        Ok(self.digits.clone())
    }

    /// The characters as text (non-printable octets replaced).
    pub fn text(&self) -> String {
        ia5_lossy(&self.digits)
    }
}

/// Signal (0x34), Q.931 clause 4.5.28: one signal value octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    /// Signal value (0x00 dial tone on, 0x01 ring back tone on,
    /// 0x04 busy tone on, 0x3F tones off, 0x40..=0x47 alerting on pattern
    /// 0..7, 0x4F alerting off, ...), see [`Signal::name`].
    pub value: u8,
}

impl Signal {
    /// Dial tone on.
    pub const DIAL_TONE_ON: u8 = 0x00;
    /// Ring back tone on.
    pub const RING_BACK_TONE_ON: u8 = 0x01;
    /// Busy tone on.
    pub const BUSY_TONE_ON: u8 = 0x04;
    /// Tones off.
    pub const TONES_OFF: u8 = 0x3f;
    /// Alerting off.
    pub const ALERTING_OFF: u8 = 0x4f;

    /// Decode the contents (octets after the signal value are not part of
    /// the model, so such an IE is kept as bytes by [`super::IeRepr`]).
    pub fn parse(data: &[u8]) -> Result<Signal, &'static str> {
        let &value = data.first().ok_or("signal is empty")?;
        Ok(Signal { value })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        Ok(vec![self.value])
    }

    /// Q.931 name of the signal value (`"reserved"` if not defined).
    pub fn name(&self) -> &'static str {
        signal_name(self.value)
    }
}

/// High layer compatibility (0x7D), Q.931 clause 4.5.17.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HighLayerCompatibility {
    /// Coding standard (2 bits; 0 = ITU-T).
    pub coding_standard: u8,
    /// Interpretation (3 bits; 4 = first (primary or only) high layer
    /// characteristics identification to be used in the call).
    pub interpretation: u8,
    /// Presentation method of protocol profile (2 bits; 1 = high layer
    /// protocol profile).
    pub presentation: u8,
    /// High layer characteristics identification (7 bits; 0x01 telephony,
    /// 0x04 fax group 2/3, 0x5E/0x5F maintenance/management, ...).
    pub characteristics: u8,
    /// Octet 4a: extended high layer characteristics identification (for
    /// 0x5E/0x5F) or extended audiovisual characteristics (0x60..=0x68).
    pub extended: Option<u8>,
}

impl HighLayerCompatibility {
    /// ITU-T coded, interpretation 4, presentation 1, with the given
    /// characteristics (e.g. 0x01 telephony).
    pub fn new(characteristics: u8) -> HighLayerCompatibility {
        HighLayerCompatibility {
            coding_standard: 0,
            interpretation: 4,
            presentation: 1,
            characteristics,
            extended: None,
        }
    }

    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<HighLayerCompatibility, &'static str> {
        let [o3, o4, tail @ ..] = data else {
            return Err("high layer compatibility shorter than 2 octets");
        };
        let extended = if o4 & 0x80 == 0 {
            let e = tail
                .first()
                .ok_or("high layer compatibility octet 4a missing")?;
            Some(e & 0x7f)
        } else {
            None
        };
        Ok(HighLayerCompatibility {
            coding_standard: (o3 >> 5) & 0x03,
            interpretation: (o3 >> 2) & 0x07,
            presentation: o3 & 0x03,
            characteristics: o4 & 0x7f,
            extended,
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        let ext4 = if self.extended.is_some() { 0 } else { 0x80 };
        let mut out = vec![
            0x80 | (self.coding_standard & 0x03) << 5
                | (self.interpretation & 0x07) << 2
                | (self.presentation & 0x03),
            ext4 | (self.characteristics & 0x7f),
        ];
        if let Some(e) = self.extended {
            out.push(0x80 | (e & 0x7f));
        }
        Ok(out)
    }
}

/// Low layer compatibility (0x7C), Q.931 clause 4.5.19.
///
/// Octets 3, 3a, 4 and 4.1 are decoded (same layout as the bearer
/// capability); octets 5.. (user information layer 1/2/3 protocols) are kept
/// raw in `rest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowLayerCompatibility {
    /// Coding standard (2 bits; 0 = ITU-T).
    pub coding_standard: u8,
    /// Information transfer capability (5 bits).
    pub transfer_capability: u8,
    /// Octet 3a, if present: `true` = out-band negotiation possible.
    pub out_band_negotiation: Option<bool>,
    /// Transfer mode (2 bits; 0 circuit, 2 packet).
    pub transfer_mode: u8,
    /// Information transfer rate (5 bits; 0x18 multirate).
    pub transfer_rate: u8,
    /// Rate multiplier (octet 4.1), present iff the rate is multirate (0x18).
    pub rate_multiplier: Option<u8>,
    /// Octets 5.. (layer 1/2/3 protocol identification), raw.
    pub rest: Vec<u8>,
}

impl LowLayerCompatibility {
    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<LowLayerCompatibility, &'static str> {
        let (&o3, mut tail) = data
            .split_first()
            .ok_or("low layer compatibility is empty")?;
        let mut out_band_negotiation = None;
        if o3 & 0x80 == 0 {
            let (&o3a, t) = tail
                .split_first()
                .ok_or("low layer compatibility octet 3a missing")?;
            out_band_negotiation = Some(o3a & 0x40 != 0);
            tail = t;
        }
        let (&o4, t) = tail
            .split_first()
            .ok_or("low layer compatibility octet 4 missing")?;
        tail = t;
        let transfer_rate = o4 & 0x1f;
        let mut rate_multiplier = None;
        if transfer_rate == 0x18 {
            let (&m, t) = tail
                .split_first()
                .ok_or("multirate without rate multiplier")?;
            rate_multiplier = Some(m & 0x7f);
            tail = t;
        }
        Ok(LowLayerCompatibility {
            coding_standard: (o3 >> 5) & 0x03,
            transfer_capability: o3 & 0x1f,
            out_band_negotiation,
            transfer_mode: (o4 >> 5) & 0x03,
            transfer_rate,
            rate_multiplier,
            rest: tail.to_vec(),
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        let multirate = self.transfer_rate & 0x1f == 0x18;
        if multirate != self.rate_multiplier.is_some() {
            return Err("rate multiplier present iff the rate is multirate");
        }
        let ext3 = if self.out_band_negotiation.is_some() {
            0
        } else {
            0x80
        };
        let mut out =
            vec![ext3 | (self.coding_standard & 0x03) << 5 | (self.transfer_capability & 0x1f)];
        if let Some(n) = self.out_band_negotiation {
            out.push(if n { 0xc0 } else { 0x80 });
        }
        out.push(0x80 | (self.transfer_mode & 0x03) << 5 | (self.transfer_rate & 0x1f));
        if let Some(m) = self.rate_multiplier {
            out.push(0x80 | (m & 0x7f));
        }
        out.extend_from_slice(&self.rest);
        Ok(out)
    }
}

/// Notification indicator (0x27), Q.931 clause 4.5.22.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationIndicator {
    /// Notification description (7 bits; 0x00 user suspended, 0x01 user
    /// resumed, 0x02 bearer service change, 0x60 call is a waiting call,
    /// ...), see [`NotificationIndicator::name`].
    pub description: u8,
    /// Octets after octet 3, raw (e.g. the ASN.1 component following
    /// description 0x03, Q.932 "discriminator for extension to ASN.1").
    pub extension: Vec<u8>,
}

impl NotificationIndicator {
    /// User suspended.
    pub const USER_SUSPENDED: u8 = 0x00;
    /// User resumed.
    pub const USER_RESUMED: u8 = 0x01;
    /// Bearer service change.
    pub const BEARER_SERVICE_CHANGE: u8 = 0x02;
    /// Call is a waiting call.
    pub const CALL_IS_WAITING: u8 = 0x60;
    /// Remote hold.
    pub const REMOTE_HOLD: u8 = 0x79;
    /// Remote retrieval.
    pub const REMOTE_RETRIEVAL: u8 = 0x7a;

    /// Notification with the given description and no extension octets.
    pub fn new(description: u8) -> NotificationIndicator {
        NotificationIndicator {
            description,
            extension: Vec::new(),
        }
    }

    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<NotificationIndicator, &'static str> {
        let (&o3, rest) = data
            .split_first()
            .ok_or("notification indicator is empty")?;
        Ok(NotificationIndicator {
            description: o3 & 0x7f,
            extension: rest.to_vec(),
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        let mut out = vec![0x80 | (self.description & 0x7f)];
        out.extend_from_slice(&self.extension);
        Ok(out)
    }

    /// Name of the notification description (`"reserved"` if unknown).
    pub fn name(&self) -> &'static str {
        notification_name(self.description)
    }
}

/// Facility (0x1C), Q.932: protocol profile and the raw
/// (ASN.1 BER) components, which are not decoded here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facility {
    /// Protocol profile (5 bits; 0x11 remote operations protocol (ROSE),
    /// 0x12 CMIP, 0x13 ACSE, 0x1F networking extensions (QSIG)).
    pub protocol_profile: u8,
    /// Octets after octet 3 (network facility extension, interpretation
    /// and the components), raw.
    pub components: Vec<u8>,
}

impl Facility {
    /// Remote operations protocol profile.
    pub const ROSE: u8 = 0x11;
    /// Networking extensions protocol profile.
    pub const NETWORKING_EXTENSIONS: u8 = 0x1f;

    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<Facility, &'static str> {
        let (&o3, rest) = data.split_first().ok_or("facility is empty")?;
        Ok(Facility {
            protocol_profile: o3 & 0x1f,
            components: rest.to_vec(),
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        let mut out = vec![0x80 | (self.protocol_profile & 0x1f)];
        out.extend_from_slice(&self.components);
        Ok(out)
    }
}
