using SkiaSharp;
using ViTok.Data;
using ViTok.IO;
using ViTok.Tests.Support;

namespace ViTok.Tests.IO;

public sealed class ImageIOTests
{
    [Fact]
    public void DecodeRgb8_SkiaPng_IsBitExact()
    {
        // Arrange
        var rgb = ImageFixtures.RandomRgb(17, 23, 1);
        var png = ImageFixtures.Encode(rgb, 17, 23, SKEncodedImageFormat.Png);

        // Act
        var (got, h, w) = ImageIO.DecodeRgb8(png, "a.png");

        // Assert
        Assert.Equal((17, 23), (h, w));
        Assert.Equal(rgb, got);
    }

    [Fact]
    public void DecodeRgb8_GreyPaletteSixteenBitAndAlpha_BecomeEightBitRgb()
    {
        // Arrange: grey 8-bit, grey 16-bit, RGB 16-bit, palette with a transparent entry, RGBA with half alpha.
        byte[] grey = [0, 100, 200, 255];
        byte[] grey16 = [0x00, 0x00, 0x80, 0x00, 0xFF, 0xFF, 0x12, 0x34];
        byte[] rgb16 = [0xFF, 0xFF, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x40, 0x00];
        byte[] plte = [255, 0, 0, 0, 255, 0, 0, 0, 255];
        byte[] trns = [255, 0];
        byte[] indices = [0, 1, 2, 0];
        byte[] rgba = [10, 20, 30, 255, 0, 0, 0, 0, 200, 100, 0, 128, 255, 255, 255, 255];

        // Act
        var g = ImageIO.DecodeRgb8(ImageFixtures.Png(2, 2, 0, 8, grey), "g.png");
        var g16 = ImageIO.DecodeRgb8(ImageFixtures.Png(2, 2, 0, 16, grey16), "g16.png");
        var c16 = ImageIO.DecodeRgb8(ImageFixtures.Png(2, 1, 2, 16, rgb16), "c16.png");
        var p = ImageIO.DecodeRgb8(ImageFixtures.Png(2, 2, 3, 8, indices, plte, trns), "p.png");
        var a = ImageIO.DecodeRgb8(ImageFixtures.Png(2, 2, 6, 8, rgba), "a.png");

        // Assert
        Assert.Equal(new byte[] { 0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255 }, g.Rgb);
        Assert.Equal(12, g16.Rgb.Length);
        int[] expected16 = [0, 128, 255, 0x12];
        for (int i = 0; i < 4; i++)
        {
            Assert.InRange(g16.Rgb[3 * i], expected16[i] - 1, expected16[i] + 1);
            Assert.Equal(g16.Rgb[3 * i], g16.Rgb[3 * i + 2]);
        }
        Assert.Equal(new byte[] { 255, 0, 128, 0, 255, 64 }, c16.Rgb.Select(v => (byte)(v is 127 or 129 ? 128 : v is 63 or 65 ? 64 : v)).ToArray());
        // Palette: index 0 red, 1 green but fully transparent (→ white), 2 blue.
        Assert.Equal(new byte[] { 255, 0, 0, 255, 255, 255, 0, 0, 255, 255, 0, 0 }, p.Rgb);
        // Alpha on white: transparent → white; half alpha mixes with white.
        Assert.Equal(new byte[] { 10, 20, 30 }, a.Rgb[..3]);
        Assert.Equal(new byte[] { 255, 255, 255 }, a.Rgb[3..6]);
        Assert.InRange(a.Rgb[6], 226, 228); // 200·128/255 + 255·127/255 ≈ 227
        Assert.InRange(a.Rgb[7], 176, 178); // 100·128/255 + 127 ≈ 177
        Assert.InRange(a.Rgb[8], 126, 128);
    }

    [Fact]
    public void DecodeRgb8_ExifOrientation6_RotatesClockwise()
    {
        // Arrange: 16 high × 32 wide, left half red, right half blue, tagged "rotate 90° CW to display".
        int h = 16, w = 32;
        var rgb = new byte[h * w * 3];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++) rgb[(y * w + x) * 3 + (x < w / 2 ? 0 : 2)] = 255;
        }
        var jpeg = ImageFixtures.WithExifOrientation(ImageFixtures.Encode(rgb, h, w, SKEncodedImageFormat.Jpeg, 100), 6);

        // Act
        var (got, oh, ow) = ImageIO.DecodeRgb8(jpeg, "rot.jpg");

        // Assert: 32 high × 16 wide; the left half (red) is now on top.
        Assert.Equal((32, 16), (oh, ow));
        int top = (4 * ow + 8) * 3, bottom = (28 * ow + 8) * 3;
        Assert.True(got[top] > 200 && got[top + 2] < 60, $"top pixel {got[top]},{got[top + 1]},{got[top + 2]} should be red");
        Assert.True(got[bottom + 2] > 200 && got[bottom] < 60, $"bottom pixel {got[bottom]},{got[bottom + 1]},{got[bottom + 2]} should be blue");
    }

    [Fact]
    public void ReadHeader_KnownFormats_GiveSizeWithoutDecoding()
    {
        // Arrange
        var rgb = ImageFixtures.SmoothRgb(30, 40);

        // Act
        var png = ImageIO.ReadHeader(ImageFixtures.Encode(rgb, 30, 40, SKEncodedImageFormat.Png));
        var jpg = ImageIO.ReadHeader(ImageFixtures.WithExifOrientation(ImageFixtures.Encode(rgb, 30, 40, SKEncodedImageFormat.Jpeg), 1));
        var webp = ImageIO.ReadHeader(ImageFixtures.Encode(rgb, 30, 40, SKEncodedImageFormat.Webp, 80));
        var webpLossless = ImageIO.ReadHeader(ImageFixtures.Encode(rgb, 30, 40, SKEncodedImageFormat.Webp, 100));
        var bmp = ImageIO.ReadHeader(ImageFixtures.Bmp(rgb, 30, 40));
        var huge = ImageIO.ReadHeader(ImageFixtures.PngWithHeader(100_000, 100_000));

        // Assert
        Assert.Equal(new ImageHeader("png", 40, 30), png);
        Assert.Equal(new ImageHeader("jpeg", 40, 30), jpg);
        Assert.Equal(new ImageHeader("webp", 40, 30), webp);
        Assert.Equal(new ImageHeader("webp", 40, 30), webpLossless);
        Assert.Equal(new ImageHeader("bmp", 40, 30), bmp);
        Assert.Equal(new ImageHeader("png", 100_000, 100_000), huge);
        Assert.Null(ImageIO.ReadHeader("hello, I am text"u8));
    }

    [Fact]
    public void DecodeRgb8_BmpAndWebp_Decode()
    {
        // Arrange
        var rgb = ImageFixtures.RandomRgb(5, 7, 3);

        // Act
        var bmp = ImageIO.DecodeRgb8(ImageFixtures.Bmp(rgb, 5, 7), "a.bmp");
        var webp = ImageIO.DecodeRgb8(ImageFixtures.Encode(rgb, 5, 7, SKEncodedImageFormat.Webp, 100), "a.webp");

        // Assert: BMP and lossless WebP keep every byte.
        Assert.Equal(rgb, bmp.Rgb);
        Assert.Equal(rgb, webp.Rgb);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("misnamed")]
    [InlineData("truncated")]
    [InlineData("corrupt")]
    [InlineData("too-large")]
    public void DecodeRgb8_BadBytes_ThrowWithReason(string reason)
    {
        // Arrange
        var jpeg = ImageFixtures.Encode(ImageFixtures.RandomRgb(64, 64, 2), 64, 64, SKEncodedImageFormat.Jpeg);
        var png = ImageFixtures.Encode(ImageFixtures.RandomRgb(16, 16, 2), 16, 16, SKEncodedImageFormat.Png);
        byte[] corruptPng = [.. png];
        for (int i = 60; i < corruptPng.Length - 20; i++) corruptPng[i] ^= 0x5A; // scramble the compressed data
        byte[] data = reason switch
        {
            "empty" => [],
            "misnamed" => "this is a text file"u8.ToArray(),
            "truncated" => jpeg[..(jpeg.Length / 2)],
            "corrupt" => corruptPng,
            _ => ImageFixtures.PngWithHeader(100_000, 100_000),
        };

        // Act
        var e = Assert.Throws<BadItemException>(() => ImageIO.DecodeRgb8(data, "x.png"));

        // Assert
        Assert.Equal(reason, SkipLog.KeyOf(e.Reason));
        Assert.Equal("x.png", e.Source);
    }

    [Fact]
    public void LoadRgb8_TextNamedPng_IsUserErrorNamingTheFile()
    {
        // Arrange
        using var dir = new TempDir();
        string path = dir.File("text.png");
        File.WriteAllText(path, "not an image");

        // Act
        var e = Assert.Throws<ViTokException>(() => ImageIO.LoadRgb8(path));

        // Assert
        Assert.Contains(path, e.Message);
        Assert.Contains("misnamed", e.Message);
    }
}
