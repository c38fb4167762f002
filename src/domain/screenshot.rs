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

impl ScreenshotError {
    /// The key of the reason in the interface's languages.
    pub fn key(self) -> &'static str {
        match self {
            Self::Empty => "trouble.why.empty",
            Self::TooLarge => "trouble.why.too_large",
            Self::NotAnImage => "trouble.why.not_an_image",
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The last chunk of every PNG: length 0, "IEND", its CRC.
const PNG_END: &[u8] = b"\0\0\0\0IEND\xae\x42\x60\x82";

/// What the bytes are, if they are a screenshot we accept.
pub fn check(bytes: &[u8]) -> Result<ImageKind, ScreenshotError> {
    if bytes.is_empty() {
        return Err(ScreenshotError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ScreenshotError::TooLarge);
    }
    // A PNG starts with its signature and the IHDR chunk (length 13) and ends with the
    // IEND chunk; a JPEG starts with a start-of-image marker and a segment marker and
    // ends with the end-of-image marker (some encoders pad with zeros after it).
    if bytes.len() > 16
        && bytes.starts_with(PNG_SIGNATURE)
        && bytes[8..12] == [0, 0, 0, 13]
        && &bytes[12..16] == b"IHDR"
        && bytes.ends_with(PNG_END)
    {
        return Ok(ImageKind::Png);
    }
    let unpadded = bytes
        .iter()
        .rposition(|b| *b != 0)
        .map_or(&[][..], |end| &bytes[..=end]);
    if bytes.len() > 4
        && bytes[..3] == [0xFF, 0xD8, 0xFF]
        && (0xC0..=0xFE).contains(&bytes[3])
        && unpadded.ends_with(&[0xFF, 0xD9])
    {
        return Ok(ImageKind::Jpeg);
    }
    Err(ScreenshotError::NotAnImage)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG's frame: signature, an IHDR chunk for a 1×1 image, `body`, the IEND chunk.
    fn png_with(body: &[u8]) -> Vec<u8> {
        let mut b = PNG_SIGNATURE.to_vec();
        b.extend_from_slice(&[0, 0, 0, 13]);
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        b.extend_from_slice(body);
        b.extend_from_slice(PNG_END);
        b
    }

    fn tiny_png() -> Vec<u8> {
        png_with(&[])
    }

    #[test]
    fn png_and_jpeg_are_told_by_their_bytes() {
        assert_eq!(check(&tiny_png()), Ok(ImageKind::Png));
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', 0xFF, 0xD9];
        assert_eq!(check(&jpeg), Ok(ImageKind::Jpeg));
        let mut padded = jpeg.to_vec();
        padded.extend_from_slice(&[0, 0, 0]);
        assert_eq!(check(&padded), Ok(ImageKind::Jpeg));
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
        // The PNG signature alone, without its header chunk, is not an image, nor is a
        // file that starts like an image and then turns into a page.
        assert_eq!(check(&tiny_png()[..12]), Err(ScreenshotError::NotAnImage));
        let mut html_tail = tiny_png();
        html_tail.extend_from_slice(b"<script>alert(1)</script>");
        assert_eq!(check(&html_tail), Err(ScreenshotError::NotAnImage));
        assert_eq!(
            check(b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>"),
            Err(ScreenshotError::NotAnImage)
        );
    }

    #[test]
    fn large_files_are_refused() {
        let frame = tiny_png().len();
        let big = png_with(&vec![0; MAX_BYTES + 1 - frame]);
        assert_eq!(check(&big), Err(ScreenshotError::TooLarge));
        let largest = png_with(&vec![0; MAX_BYTES - frame]);
        assert_eq!(check(&largest), Ok(ImageKind::Png));
    }

    #[test]
    fn content_types_round_trip() {
        for k in [ImageKind::Png, ImageKind::Jpeg] {
            assert_eq!(ImageKind::from_content_type(k.content_type()), Some(k));
        }
    }
}
