//! Call-progress tone plans, tone generation and call-progress / fax tone
//! detection (being written).
