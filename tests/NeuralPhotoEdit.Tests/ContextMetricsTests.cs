using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Tests;

/// <summary>The figures <c>npe eval edits</c> judges context by: follow, scene_cost and model_share.</summary>
public class ContextMetricsTests
{
    /// <summary>A sky (top half, grey-blue) over land (bottom half, green), 120×80.</summary>
    static RgbaImage SkyOverLand() => Painted(120, 80, y => y < 40 ? (150, 170, 200) : (60, 90, 50));

    static RgbaImage Painted(int width, int height, Func<int, (int R, int G, int B)> colourOfRow)
    {
        var image = new RgbaImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = colourOfRow(y);
                int o = image.Offset(x, y);
                (image.Pixels[o], image.Pixels[o + 1], image.Pixels[o + 2], image.Pixels[o + 3]) = ((byte)r, (byte)g, (byte)b, 255);
            }
        return image;
    }

    /// <summary>A stroke across rows 8–16, the whole width.</summary>
    static RgbaImage SkyStroke((byte R, byte G, byte B) colour) =>
        NaturalEditTests.Stroke(120, 80, new PixelRect(0, 8, 120, 8), colour);

    [Fact]
    public void FollowIsTheLandsShareOfTheSkysChange()
    {
        var photo = SkyOverLand();
        var strokes = SkyStroke((250, 130, 40));
        // The sky turns orange; the land gets part of the same shift of colour.
        var onlySky = Painted(120, 80, y => y < 40 ? (250, 130, 40) : (60, 90, 50));
        var landToo = Painted(120, 80, y => y < 40 ? (250, 130, 40) : (100, 96, 46));
        Assert.Equal(0, EditMetrics.Follow(photo, onlySky, strokes, FollowKind.Warm), 6);
        double warm = EditMetrics.Follow(photo, landToo, strokes, FollowKind.Warm);
        Assert.InRange(warm, 0.1, 0.9);
        // Darkening: the land darkened by as much as the sky follows fully.
        var storm = Painted(120, 80, y => y < 40 ? (100, 120, 150) : (10, 40, 0));
        Assert.InRange(EditMetrics.Follow(photo, storm, SkyStroke((45, 50, 65)), FollowKind.Dark), 0.8, 1.6);
    }

    [Fact]
    public void ModelShareIsTheDistanceFromTheFlatShiftOverTheEditsSize()
    {
        var photo = SkyOverLand();
        var edit = Painted(120, 80, y => y < 40 ? (250, 130, 40) : (60, 90, 50));
        Assert.Equal(0, EditMetrics.ModelShare(photo, edit, edit));
        Assert.Equal(1, EditMetrics.ModelShare(photo, edit, photo), 6);
    }

    /// <summary>The thumbnail prior, fitted on crops of real photos, finds a photo more likely than the
    /// same photo with its colours turned inside out, and an unchanged photo costs nothing.</summary>
    [Fact]
    public void TheThumbnailPriorFindsPhotosLikelierThanUnnaturalColours()
    {
        var photos = Directory.GetFiles(TestSupport.FixturePhotos).Order().Select(ImageFiles.Load).ToList();
        var fit = photos.Skip(1).SelectMany(p => Crops(p)).ToList();
        var prior = ThumbnailPrior.Fit(fit);
        var held = photos[0];
        var inverted = held.Clone();
        for (int i = 0; i < inverted.Pixels.Length; i += 4)
            (inverted.Pixels[i], inverted.Pixels[i + 2]) = ((byte)(255 - inverted.Pixels[i + 2]), (byte)(255 - inverted.Pixels[i]));
        Assert.True(prior.NegativeLogLikelihood(held) < prior.NegativeLogLikelihood(inverted),
                    $"{prior.NegativeLogLikelihood(held):F0} for the photo, {prior.NegativeLogLikelihood(inverted):F0} for its colours turned round");
        Assert.Equal(0, EditMetrics.SceneCost(prior, held, held, fidelity: 0.9));
    }

    /// <summary>Five overlapping crops of a photo: its corners' three-quarter views and the whole.</summary>
    static IEnumerable<RgbaImage> Crops(RgbaImage photo)
    {
        int w = photo.Width * 3 / 4, h = photo.Height * 3 / 4;
        yield return photo;
        foreach (var (x, y) in new[] { (0, 0), (photo.Width - w, 0), (0, photo.Height - h), (photo.Width - w, photo.Height - h) })
            yield return photo.Crop(new PixelRect(x, y, w, h));
    }
}
