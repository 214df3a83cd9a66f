//! Socket tuples (`PT_SOCKTUPLE`): the two ends of a connection as the
//! capture wrote them, for IPv4, IPv6 and Unix sockets.

use super::fields::{text, ByteOrder, Fields};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Address families (`PPM_AF_*`).
const AF_UNIX: u8 = 1;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

/// The tuple as text: `10.0.0.5:41000->93.184.216.34:443`,
/// `[2001:db8::4]:54405->[2001:db8::3]:1234`, `unix /run/docker.sock`.
/// `None` for an empty parameter (a failed call may carry none).
pub fn describe(bytes: &[u8], order: ByteOrder) -> Option<String> {
    let mut fields = Fields::new(bytes, order);
    let family = fields.u8()?;
    let text = match family {
        AF_INET => {
            let source: [u8; 4] = fields.take(4)?.try_into().ok()?;
            let source_port = fields.u16()?;
            let destination: [u8; 4] = fields.take(4)?.try_into().ok()?;
            let destination_port = fields.u16()?;
            format!(
                "{}:{source_port}->{}:{destination_port}",
                Ipv4Addr::from(source),
                Ipv4Addr::from(destination)
            )
        }
        AF_INET6 => {
            let source: [u8; 16] = fields.take(16)?.try_into().ok()?;
            let source_port = fields.u16()?;
            let destination: [u8; 16] = fields.take(16)?.try_into().ok()?;
            let destination_port = fields.u16()?;
            format!(
                "[{}]:{source_port}->[{}]:{destination_port}",
                Ipv6Addr::from(source),
                Ipv6Addr::from(destination)
            )
        }
        AF_UNIX => {
            fields.skip(8 + 8)?; // kernel addresses of the two ends
            let path = fields.take(fields.remaining())?;
            match path.split_first() {
                // An abstract socket's name starts with a NUL byte.
                Some((0, name)) if !name.is_empty() => format!("unix @{}", text(name)),
                _ if text(path).is_empty() => "unix (unnamed)".to_string(),
                _ => format!("unix {}", text(path)),
            }
        }
        other => format!("address family {other}"),
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_ipv6_and_unix_tuples_read_as_the_capture_wrote_them() {
        // 127.0.0.1:47192 -> 127.0.0.1:80, from falco's connect_localhost capture.
        let ipv4 = [2, 127, 0, 0, 1, 0x58, 0xb8, 127, 0, 0, 1, 0x50, 0];
        assert_eq!(
            describe(&ipv4, ByteOrder::Little).as_deref(),
            Some("127.0.0.1:47192->127.0.0.1:80")
        );
        let mut ipv6 = vec![10];
        ipv6.extend(Ipv6Addr::LOCALHOST.octets());
        ipv6.extend(1234u16.to_le_bytes());
        ipv6.extend(Ipv6Addr::UNSPECIFIED.octets());
        ipv6.extend(80u16.to_le_bytes());
        assert_eq!(
            describe(&ipv6, ByteOrder::Little).as_deref(),
            Some("[::1]:1234->[::]:80")
        );
        let mut unix = vec![1];
        unix.extend([0; 16]);
        unix.extend(b"/var/run/nscd/socket\0");
        assert_eq!(
            describe(&unix, ByteOrder::Little).as_deref(),
            Some("unix /var/run/nscd/socket")
        );
    }

    #[test]
    fn empty_and_short_tuples_are_none() {
        assert_eq!(describe(&[], ByteOrder::Little), None);
        assert_eq!(describe(&[2, 1, 2], ByteOrder::Little), None);
    }
}
