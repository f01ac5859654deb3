using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// Training photos, decoded once and kept in memory with a small pyramid (1×, ½, ¼, ⅛) so crops at
/// any scale are cheap to cut. Files are taken in sorted order so runs are reproducible.
/// </summary>
public sealed class PhotoCollection
{
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp"];

    PhotoCollection(IReadOnlyList<string> files, IReadOnlyList<RgbaImage[]> pyramids)
    {
        Files = files;
        Pyramids = pyramids;
    }

    public IReadOnlyList<string> Files { get; }
    /// <summary>Per photo: level 0 is the photo, level k is it shrunk by 2^k.</summary>
    public IReadOnlyList<RgbaImage[]> Pyramids { get; }
    public int Count => Files.Count;

    public static IReadOnlyList<string> FindImages(string directory)
    {
        if (!Directory.Exists(directory)) throw new UserInputException($"Photo folder '{directory}' does not exist.");
        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Loads every photo at least <paramref name="minimumSide"/> pixels on its short side;
    /// <paramref name="progress"/> gets (done, total) after each file.</summary>
    public static PhotoCollection Load(string directory, int minimumSide, int levels = 4, Action<int, int>? progress = null)
    {
        var files = FindImages(directory);
        if (files.Count == 0) throw new UserInputException($"No JPEG or PNG photos found in '{directory}'.");
        var kept = new List<string>();
        var pyramids = new List<RgbaImage[]>();
        for (int i = 0; i < files.Count; i++)
        {
            var photo = ImageFiles.Load(files[i]);
            if (Math.Min(photo.Width, photo.Height) >= minimumSide)
            {
                var pyramid = new List<RgbaImage> { photo };
                while (pyramid.Count < levels && Math.Min(pyramid[^1].Width, pyramid[^1].Height) / 2 >= minimumSide)
                    pyramid.Add(ImageFiles.Resize(pyramid[^1], pyramid[^1].Width / 2, pyramid[^1].Height / 2));
                kept.Add(files[i]);
                pyramids.Add(pyramid.ToArray());
            }
            progress?.Invoke(i + 1, files.Count);
        }
        if (kept.Count == 0) throw new UserInputException($"No photo in '{directory}' is at least {minimumSide} pixels on its short side.");
        return new PhotoCollection(kept, pyramids);
    }
}
