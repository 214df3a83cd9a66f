//! Reads the derived index's sections in order for the correlated index's
//! build, decoding them on a thread of their own while the caller works on
//! the one before (a few decoded sections wait at most).

use crate::bundle::index::section::{self, SectionContent};
use crate::bundle::index::stream::SectionStream;
use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;
use std::sync::mpsc::sync_channel;

/// Sections decoded ahead of the caller.
const DECODED_AHEAD: usize = 4;

/// Runs `each` on every section of the index at `index` that `decode`
/// chooses (by its number, from 0), with that number, in order.
pub fn each_section(
    index: &Path,
    decode: impl Fn(usize) -> bool + Send,
    mut each: impl FnMut(usize, SectionContent) -> io::Result<()>,
) -> io::Result<()> {
    let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidData, message);
    std::thread::scope(|scope| {
        let (sender, receiver) = sync_channel::<io::Result<(usize, SectionContent)>>(DECODED_AHEAD);
        scope.spawn(move || {
            let decode_all = || -> io::Result<()> {
                let file = BufReader::new(File::open(index)?);
                let mut stream = SectionStream::new(file).map_err(|e| invalid(e.to_string()))?;
                let mut number = 0;
                while let Some((artifact, bytes)) =
                    stream.next_section().map_err(|e| invalid(e.to_string()))?
                {
                    if decode(number) {
                        let content = section::decode(&bytes, artifact)
                            .map_err(|e| invalid(e.to_string()))?;
                        if sender.send(Ok((number, content))).is_err() {
                            // The receiving side stopped: its error is reported.
                            return Ok(());
                        }
                    }
                    number += 1;
                }
                Ok(())
            };
            if let Err(error) = decode_all() {
                let _ = sender.send(Err(error));
            }
        });
        for decoded in receiver {
            let (number, content) = decoded?;
            each(number, content)?;
        }
        Ok(())
    })
}
