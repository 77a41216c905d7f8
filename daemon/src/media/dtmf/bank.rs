//! Multi-channel DTMF receiver bank (being written).
