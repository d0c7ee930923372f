namespace ViTok.IO;

/// <summary>What a file's first bytes say it is (see <see cref="FileContent"/>).</summary>
public enum ContentKind
{
    /// <summary>Zero bytes.</summary>
    Empty,

    /// <summary>An image format that <see cref="ImageIO"/> decodes: PNG, JPEG, WebP, BMP, GIF (first frame).</summary>
    Image,

    /// <summary>An image format recognised but not read: TIFF, AVIF, HEIC/HEIF, JPEG XL, JPEG 2000, ICO, PSD.</summary>
    UnreadImage,

    /// <summary>A video container (MP4/MOV/3GP, MPEG-TS/M2TS, MPEG-PS, Matroska/WebM, AVI, Ogg, FLV, ASF/WMV).</summary>
    Video,

    /// <summary>A tar archive (a WebDataset shard).</summary>
    Tar,

    /// <summary>gzip data (a .tar.gz shard when the name says so).</summary>
    Gzip,

    /// <summary>A Git LFS pointer: the text stub Git leaves when the real file was not pulled.</summary>
    LfsPointer,

    /// <summary>Text (UTF-8, no control bytes other than whitespace): a file list, a note, an HTML error page.</summary>
    Text,

    /// <summary>Binary of a kind named in <see cref="FileContent.Format"/> that is not media (zip, safetensors, npy, …)
    /// or unknown ("binary"); ffprobe may still recognise a video in the unknown case.</summary>
    Other,
}
