//! Typed codeset 0 information elements.
//!
//! Each type has `parse(contents) -> Result<Self, &'static str>` (contents
//! without identifier and length octets; the error says why the contents are
//! invalid) and `contents() -> Result<Vec<u8>, &'static str>`. Fields are
//! masked to their bit width when encoded.

/// Split off extension octets: octets up to and including the first one
/// with bit 8 set. Returns the 7-bit values and the rest.
fn take_ext_group(data: &[u8]) -> (Vec<u8>, &[u8]) {
    let end = data
        .iter()
        .position(|b| b & 0x80 != 0)
        .map_or(data.len(), |p| p + 1);
    let (group, rest) = data.split_at(end);
    (group.iter().map(|b| b & 0x7f).collect(), rest)
}

/// Encode 7-bit values as an extension group (bit 8 set on the last octet).
fn put_ext_group(out: &mut Vec<u8>, values: &[u8]) {
    let n = values.len();
    out.extend(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (v & 0x7f) | if i + 1 == n { 0x80 } else { 0 }),
    );
}

/// Bearer capability (0x04), Q.931 clause 4.5.5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerCapability {
    /// Coding standard (2 bits; 0 = ITU-T).
    pub coding_standard: u8,
    /// Information transfer capability (5 bits; 0 speech, 8 unrestricted
    /// digital, 0x10 3.1 kHz audio).
    pub transfer_capability: u8,
    /// Transfer mode (2 bits; 0 circuit, 2 packet).
    pub transfer_mode: u8,
    /// Information transfer rate (5 bits; 0x10 64 kbit/s, 0x18 multirate).
    pub transfer_rate: u8,
    /// Rate multiplier (octet 4.1), present iff the rate is multirate (0x18).
    pub rate_multiplier: Option<u8>,
    /// User information layer 1 protocol (octet 5, 5 bits; 2 = G.711 mu-law,
    /// 3 = G.711 A-law).
    pub layer1: Option<u8>,
    /// Octets 5a.. (7-bit values) following octet 5 when its extension bit is 0.
    pub layer1_ext: Vec<u8>,
    /// Remaining octets (layer 2 / layer 3 identification), raw.
    pub rest: Vec<u8>,
}

impl BearerCapability {
    /// Speech, circuit mode, 64 kbit/s, G.711 with the given layer 1 protocol.
    pub fn speech(layer1: u8) -> BearerCapability {
        BearerCapability {
            coding_standard: 0,
            transfer_capability: 0,
            transfer_mode: 0,
            transfer_rate: 0x10,
            rate_multiplier: None,
            layer1: Some(layer1),
            layer1_ext: Vec::new(),
            rest: Vec::new(),
        }
    }

    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<BearerCapability, &'static str> {
        let [o3, o4, tail @ ..] = data else {
            return Err("bearer capability shorter than 2 octets");
        };
        let transfer_rate = o4 & 0x1f;
        let mut tail = tail;
        let rate_multiplier = if transfer_rate == 0x18 {
            let (m, t) = tail
                .split_first()
                .ok_or("multirate without rate multiplier")?;
            tail = t;
            Some(m & 0x7f)
        } else {
            None
        };
        let (mut layer1, mut layer1_ext) = (None, Vec::new());
        if let Some((&o5, t)) = tail.split_first() {
            if (o5 >> 5) & 0x03 == 1 {
                layer1 = Some(o5 & 0x1f);
                tail = t;
                if o5 & 0x80 == 0 {
                    let (g, t) = take_ext_group(tail);
                    layer1_ext = g;
                    tail = t;
                }
            }
        }
        Ok(BearerCapability {
            coding_standard: (o3 >> 5) & 0x03,
            transfer_capability: o3 & 0x1f,
            transfer_mode: (o4 >> 5) & 0x03,
            transfer_rate,
            rate_multiplier,
            layer1,
            layer1_ext,
            rest: tail.to_vec(),
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        let mut out = vec![
            0x80 | (self.coding_standard & 0x03) << 5 | (self.transfer_capability & 0x1f),
            0x80 | (self.transfer_mode & 0x03) << 5 | (self.transfer_rate & 0x1f),
        ];
        if let Some(m) = self.rate_multiplier {
            out.push(0x80 | (m & 0x7f));
        }
        if let Some(l1) = self.layer1 {
            let ext = if self.layer1_ext.is_empty() { 0x80 } else { 0 };
            out.push(ext | 0x20 | (l1 & 0x1f));
            put_ext_group(&mut out, &self.layer1_ext);
        }
        out.extend_from_slice(&self.rest);
        Ok(out)
    }
}

/// Cause (0x08), Q.931 clause 4.5.12 / Q.850.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// Coding standard (2 bits; 0 = ITU-T).
    pub coding_standard: u8,
    /// Location (4 bits; 0 user, 1 private network serving local user, 2
    /// public network serving local user, ...).
    pub location: u8,
    /// Recommendation (octet 3a), if present.
    pub recommendation: Option<u8>,
    /// Cause value (7 bits), see [`super::cause_name`].
    pub value: u8,
    /// Diagnostics (octets 5..), raw.
    pub diagnostics: Vec<u8>,
}

impl Cause {
    /// ITU-T coded cause with the given location and value, no diagnostics.
    pub fn new(location: u8, value: u8) -> Cause {
        Cause {
            coding_standard: 0,
            location,
            recommendation: None,
            value,
            diagnostics: Vec::new(),
        }
    }

    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<Cause, &'static str> {
        let (&o3, mut tail) = data.split_first().ok_or("cause is empty")?;
        let mut recommendation = None;
        if o3 & 0x80 == 0 {
            let (r, t) = tail.split_first().ok_or("cause octet 3a missing")?;
            recommendation = Some(r & 0x7f);
            tail = t;
        }
        let (v, diag) = tail.split_first().ok_or("cause value missing")?;
        Ok(Cause {
            coding_standard: (o3 >> 5) & 0x03,
            location: o3 & 0x0f,
            recommendation,
            value: v & 0x7f,
            diagnostics: diag.to_vec(),
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        let ext = if self.recommendation.is_some() {
            0
        } else {
            0x80
        };
        let mut out = vec![ext | (self.coding_standard & 0x03) << 5 | (self.location & 0x0f)];
        if let Some(r) = self.recommendation {
            out.push(0x80 | (r & 0x7f));
        }
        out.push(0x80 | (self.value & 0x7f));
        out.extend_from_slice(&self.diagnostics);
        Ok(out)
    }
}

/// Call state (0x14), Q.931 clause 4.5.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallState {
    /// Coding standard (2 bits).
    pub coding_standard: u8,
    /// Call state value (6 bits; e.g. 0 null, 10 active, 12 disconnect indication).
    pub value: u8,
}

impl CallState {
    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<CallState, &'static str> {
        let o3 = data.first().ok_or("call state is empty")?;
        Ok(CallState {
            coding_standard: o3 >> 6,
            value: o3 & 0x3f,
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        Ok(vec![
            (self.coding_standard & 0x03) << 6 | (self.value & 0x3f),
        ])
    }
}

/// Channel selection in octets 3.2 / 3.3 of channel identification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelSpec {
    /// Channel numbers (7-bit each; octet 3.3 repeated).
    Numbers(Vec<u8>),
    /// Slot map octets, raw.
    Map(Vec<u8>),
}

/// Channel identification (0x18), Q.931 clause 4.5.13.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelId {
    /// Interface identifier octets (7-bit values), if explicitly identified.
    pub interface_id: Option<Vec<u8>>,
    /// Interface type: `true` = primary rate ("other interface").
    pub primary: bool,
    /// `true` = exclusive, `false` = preferred.
    pub exclusive: bool,
    /// D-channel indicator.
    pub d_channel: bool,
    /// Information channel selection (2 bits; PRI: 0 no channel, 1 as
    /// indicated in the following octets, 3 any channel).
    pub selection: u8,
    /// Octet 3.2 and following: coding standard (2 bits), channel type /
    /// map element type (4 bits; 3 = B-channel units) and the channels.
    pub channels: Option<(u8, u8, ChannelSpec)>,
}

impl ChannelId {
    /// Exclusive (or preferred) single B-channel on the implicit PRI interface.
    pub fn pri_b_channel(channel: u8, exclusive: bool) -> ChannelId {
        ChannelId {
            interface_id: None,
            primary: true,
            exclusive,
            d_channel: false,
            selection: 1,
            channels: Some((0, 3, ChannelSpec::Numbers(vec![channel]))),
        }
    }

    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<ChannelId, &'static str> {
        let (&o3, mut tail) = data
            .split_first()
            .ok_or("channel identification is empty")?;
        let mut interface_id = None;
        if o3 & 0x40 != 0 {
            let (g, t) = take_ext_group(tail);
            if g.is_empty() {
                return Err("interface identifier missing");
            }
            interface_id = Some(g);
            tail = t;
        }
        let channels = match tail.split_first() {
            None => None,
            Some((&o32, rest)) => {
                let spec = if o32 & 0x10 != 0 {
                    ChannelSpec::Map(rest.to_vec())
                } else {
                    ChannelSpec::Numbers(rest.iter().map(|b| b & 0x7f).collect())
                };
                Some(((o32 >> 5) & 0x03, o32 & 0x0f, spec))
            }
        };
        Ok(ChannelId {
            interface_id,
            primary: o3 & 0x20 != 0,
            exclusive: o3 & 0x08 != 0,
            d_channel: o3 & 0x04 != 0,
            selection: o3 & 0x03,
            channels,
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        let bit = |b: bool, v: u8| if b { v } else { 0 };
        let mut out = vec![
            0x80 | bit(self.interface_id.is_some(), 0x40)
                | bit(self.primary, 0x20)
                | bit(self.exclusive, 0x08)
                | bit(self.d_channel, 0x04)
                | (self.selection & 0x03),
        ];
        if let Some(iid) = &self.interface_id {
            if iid.is_empty() {
                return Err("empty interface identifier");
            }
            put_ext_group(&mut out, iid);
        }
        if let Some((coding, ty, spec)) = &self.channels {
            let map = matches!(spec, ChannelSpec::Map(_));
            out.push(0x80 | (coding & 0x03) << 5 | bit(map, 0x10) | (ty & 0x0f));
            match spec {
                ChannelSpec::Numbers(n) => put_ext_group(&mut out, n),
                ChannelSpec::Map(m) => out.extend_from_slice(m),
            }
        }
        Ok(out)
    }
}

/// Progress indicator (0x1E), Q.931 clause 4.5.23.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressIndicator {
    /// Coding standard (2 bits).
    pub coding_standard: u8,
    /// Location (4 bits).
    pub location: u8,
    /// Progress description (7 bits; 1 not end-to-end ISDN, 2 destination
    /// non-ISDN, 3 origination non-ISDN, 4 returned to ISDN, 8 in-band
    /// information available).
    pub description: u8,
}

impl ProgressIndicator {
    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<ProgressIndicator, &'static str> {
        let [o3, o4, ..] = data else {
            return Err("progress indicator shorter than 2 octets");
        };
        Ok(ProgressIndicator {
            coding_standard: (o3 >> 5) & 0x03,
            location: o3 & 0x0f,
            description: o4 & 0x7f,
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        Ok(vec![
            0x80 | (self.coding_standard & 0x03) << 5 | (self.location & 0x0f),
            0x80 | (self.description & 0x7f),
        ])
    }
}

/// Display (0x28): IA5 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Display {
    /// Display information octets.
    pub info: Vec<u8>,
}

impl Display {
    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<Display, &'static str> {
        Ok(Display {
            info: data.to_vec(),
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        Ok(self.info.clone())
    }

    /// The text, with non-ASCII octets replaced.
    pub fn text(&self) -> String {
        ia5_lossy(&self.info)
    }
}

pub(crate) fn ia5_lossy(b: &[u8]) -> String {
    b.iter()
        .map(|&c| {
            if (0x20..0x7f).contains(&c) {
                c as char
            } else {
                '?'
            }
        })
        .collect()
}

/// Presentation and screening indicators (octet 3a of party numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presentation {
    /// Presentation indicator (2 bits; 0 allowed, 1 restricted, 2 not available).
    pub presentation: u8,
    /// Screening indicator (2 bits; 0 user provided not screened, 1 passed,
    /// 2 failed, 3 network provided).
    pub screening: u8,
}

/// Calling / called / connected / redirecting party number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyNumber {
    /// Type of number (3 bits; 0 unknown, 1 international, 2 national,
    /// 4 subscriber).
    pub type_of_number: u8,
    /// Numbering plan (4 bits; 0 unknown, 1 E.164, 9 private).
    pub numbering_plan: u8,
    /// Octet 3a (not used in called party number).
    pub presentation: Option<Presentation>,
    /// Reason for redirection (octet 3b of redirecting number, 4 bits).
    pub redirection_reason: Option<u8>,
    /// Number digits (IA5).
    pub digits: Vec<u8>,
}

impl PartyNumber {
    /// Number without octet 3a (called party number style).
    pub fn new(type_of_number: u8, numbering_plan: u8, digits: &str) -> PartyNumber {
        PartyNumber {
            type_of_number,
            numbering_plan,
            presentation: None,
            redirection_reason: None,
            digits: digits.as_bytes().to_vec(),
        }
    }

    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<PartyNumber, &'static str> {
        let (&o3, mut tail) = data.split_first().ok_or("party number is empty")?;
        let (mut presentation, mut redirection_reason) = (None, None);
        if o3 & 0x80 == 0 {
            let (&o3a, t) = tail.split_first().ok_or("party number octet 3a missing")?;
            tail = t;
            presentation = Some(Presentation {
                presentation: (o3a >> 5) & 0x03,
                screening: o3a & 0x03,
            });
            if o3a & 0x80 == 0 {
                let (&o3b, t) = tail.split_first().ok_or("party number octet 3b missing")?;
                tail = t;
                redirection_reason = Some(o3b & 0x0f);
            }
        }
        Ok(PartyNumber {
            type_of_number: (o3 >> 4) & 0x07,
            numbering_plan: o3 & 0x0f,
            presentation,
            redirection_reason,
            digits: tail.to_vec(),
        })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        let ext3 = if self.presentation.is_some() { 0 } else { 0x80 };
        let mut out = vec![ext3 | (self.type_of_number & 0x07) << 4 | (self.numbering_plan & 0x0f)];
        if let Some(p) = self.presentation {
            let ext = if self.redirection_reason.is_some() {
                0
            } else {
                0x80
            };
            out.push(ext | (p.presentation & 0x03) << 5 | (p.screening & 0x03));
            if let Some(r) = self.redirection_reason {
                out.push(0x80 | (r & 0x0f));
            }
        } else if self.redirection_reason.is_some() {
            return Err("redirection reason without presentation octet");
        }
        out.extend_from_slice(&self.digits);
        Ok(out)
    }

    /// The digits as text (non-IA5 octets replaced).
    pub fn digits_str(&self) -> String {
        ia5_lossy(&self.digits)
    }
}

/// Restart indicator (0x79), Q.931 clause 4.5.25.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartIndicator {
    /// Class (3 bits; 0 indicated channels, 6 single interface, 7 all interfaces).
    pub class: u8,
}

impl RestartIndicator {
    /// Decode the contents.
    pub fn parse(data: &[u8]) -> Result<RestartIndicator, &'static str> {
        let o3 = data.first().ok_or("restart indicator is empty")?;
        Ok(RestartIndicator { class: o3 & 0x07 })
    }

    /// Encode the contents.
    pub fn contents(&self) -> Result<Vec<u8>, &'static str> {
        Ok(vec![0x80 | (self.class & 0x07)])
    }
}
