using static TorchSharp.torch;

namespace NeuralPhotoEdit.Imaging;

/// <summary>Lays images out in a grid with a thin gap — for sample and reconstruction sheets.</summary>
public static class ImageGrid
{
    const int Gap = 2;
    static readonly byte[] Background = [32, 32, 32, 255];

    /// <summary>Tiles an N×3×H×W batch row by row, <paramref name="columns"/> per row.</summary>
    public static RgbaImage FromBatch(Tensor batch, int columns, int scale = 1)
    {
        var tiles = new List<RgbaImage>();
        for (long i = 0; i < batch.shape[0]; i++)
        {
            using var one = batch[i];
            var tile = ImageTensors.ToImage(one);
            tiles.Add(scale == 1 ? tile : ImageFiles.Resize(tile, tile.Width * scale, tile.Height * scale));
        }
        return FromImages(tiles, columns);
    }

    /// <summary>Tiles images (of any sizes) into rows of <paramref name="columns"/>, each cell as
    /// large as the largest image.</summary>
    public static RgbaImage FromImages(IReadOnlyList<RgbaImage> images, int columns)
    {
        int cellWidth = images.Max(i => i.Width), cellHeight = images.Max(i => i.Height);
        int rows = (images.Count + columns - 1) / columns;
        var grid = new RgbaImage(columns * cellWidth + (columns + 1) * Gap, rows * cellHeight + (rows + 1) * Gap);
        for (int p = 0; p < grid.Pixels.Length; p += 4) Background.CopyTo(grid.Pixels, p);
        for (int i = 0; i < images.Count; i++)
        {
            int x0 = Gap + (i % columns) * (cellWidth + Gap), y0 = Gap + (i / columns) * (cellHeight + Gap);
            var image = images[i];
            for (int y = 0; y < image.Height; y++)
                Buffer.BlockCopy(image.Pixels, image.Offset(0, y), grid.Pixels, grid.Offset(x0, y0 + y), image.Width * 4);
        }
        return grid;
    }
}
