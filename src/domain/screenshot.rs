//! Screenshots attached to a support request: PNG or JPEG, told by their bytes, never
//! by the name or the type the browser sent. Pure, so it can be fuzzed.

/// At most this many screenshots per request.
pub const MAX_FILES: usize = 5;
/// At most this many bytes per screenshot.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
}

impl ImageKind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
        }
    }

    pub fn from_content_type(s: &str) -> Option<Self> {
        match s {
            "image/png" => Some(Self::Png),
            "image/jpeg" => Some(Self::Jpeg),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScreenshotError {
    #[error("is empty")]
    Empty,
    #[error("is larger than 4 MB")]
    TooLarge,
    #[error("is not a PNG or JPEG image")]
    NotAnImage,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// What the bytes are, if they are a screenshot we accept.
pub fn check(bytes: &[u8]) -> Result<ImageKind, ScreenshotError> {
    if bytes.is_empty() {
        return Err(ScreenshotError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ScreenshotError::TooLarge);
    }
    // A PNG starts with its signature and then the IHDR chunk (length 13); a JPEG with a
    // start-of-image marker followed by another marker.
    if bytes.len() > 16
        && bytes.starts_with(PNG_SIGNATURE)
        && bytes[8..12] == [0, 0, 0, 13]
        && &bytes[12..16] == b"IHDR"
    {
        return Ok(ImageKind::Png);
    }
    if bytes.len() > 4 && bytes[..3] == [0xFF, 0xD8, 0xFF] {
        return Ok(ImageKind::Jpeg);
    }
    Err(ScreenshotError::NotAnImage)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest valid PNG header: signature and an IHDR chunk for a 1×1 image.
    pub fn tiny_png() -> Vec<u8> {
        let mut b = PNG_SIGNATURE.to_vec();
        b.extend_from_slice(&[0, 0, 0, 13]);
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        b
    }

    #[test]
    fn png_and_jpeg_are_told_by_their_bytes() {
        assert_eq!(check(&tiny_png()), Ok(ImageKind::Png));
        assert_eq!(
            check(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F']),
            Ok(ImageKind::Jpeg)
        );
    }

    #[test]
    fn anything_else_is_refused_whatever_it_is_called() {
        assert_eq!(check(b""), Err(ScreenshotError::Empty));
        assert_eq!(
            check(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"),
            Err(ScreenshotError::NotAnImage)
        );
        assert_eq!(
            check(b"<html><script>alert(1)</script></html>"),
            Err(ScreenshotError::NotAnImage)
        );
        assert_eq!(
            check(b"GIF89a\x01\x00\x01\x00"),
            Err(ScreenshotError::NotAnImage)
        );
        // The PNG signature alone, without its header chunk, is not an image.
        assert_eq!(check(&tiny_png()[..12]), Err(ScreenshotError::NotAnImage));
    }

    #[test]
    fn large_files_are_refused() {
        let mut big = tiny_png();
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(check(&big), Err(ScreenshotError::TooLarge));
        big.truncate(MAX_BYTES);
        assert_eq!(check(&big), Ok(ImageKind::Png));
    }

    #[test]
    fn content_types_round_trip() {
        for k in [ImageKind::Png, ImageKind::Jpeg] {
            assert_eq!(ImageKind::from_content_type(k.content_type()), Some(k));
        }
    }
}
