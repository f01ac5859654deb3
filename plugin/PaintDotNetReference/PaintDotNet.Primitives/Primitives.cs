using System;

namespace PaintDotNet.Rendering
{
    public struct Point2Int32 : IEquatable<Point2Int32>
    {
        public Point2Int32(int x, int y) { X = x; Y = y; }
        public int X { readonly get; set; }
        public int Y { readonly get; set; }
        public readonly bool Equals(Point2Int32 other) => X == other.X && Y == other.Y;
        public override readonly bool Equals(object? obj) => obj is Point2Int32 p && Equals(p);
        public override readonly int GetHashCode() => HashCode.Combine(X, Y);
    }

    public struct SizeInt32 : IEquatable<SizeInt32>
    {
        public SizeInt32(int width, int height) { Width = width; Height = height; }
        public int Width { readonly get; set; }
        public int Height { readonly get; set; }
        public readonly bool Equals(SizeInt32 other) => Width == other.Width && Height == other.Height;
        public override readonly bool Equals(object? obj) => obj is SizeInt32 s && Equals(s);
        public override readonly int GetHashCode() => HashCode.Combine(Width, Height);
    }

    public struct RectInt32 : IEquatable<RectInt32>
    {
        public RectInt32(int x, int y, int width, int height) { X = x; Y = y; Width = width; Height = height; }
        public int X { readonly get; set; }
        public int Y { readonly get; set; }
        public int Width { readonly get; set; }
        public int Height { readonly get; set; }
        public Point2Int32 Location { readonly get => new(X, Y); set { X = value.X; Y = value.Y; } }
        public SizeInt32 Size { readonly get => new(Width, Height); set { Width = value.Width; Height = value.Height; } }
        public readonly bool Equals(RectInt32 other) => X == other.X && Y == other.Y && Width == other.Width && Height == other.Height;
        public override readonly bool Equals(object? obj) => obj is RectInt32 r && Equals(r);
        public override readonly int GetHashCode() => HashCode.Combine(X, Y, Width, Height);
    }
}

namespace PaintDotNet.Imaging
{
    public interface IPixelInfo : IInternalImpl { }
    public interface INaturalPixelInfo : IPixelInfo, IInternalImpl { }

    public readonly struct PixelFormat : IEquatable<PixelFormat>
    {
        readonly Guid _id;
        internal PixelFormat(Guid id) => _id = id;
        public bool Equals(PixelFormat other) => _id == other._id;
        public override bool Equals(object? obj) => obj is PixelFormat f && Equals(f);
        public override int GetHashCode() => _id.GetHashCode();
    }

    public static class PixelFormats
    {
        // WIC's GUID for 32bpp BGRA, which is what Paint.NET's Bgra32 stands for.
        public static PixelFormat Bgra32 { get; } = new(new Guid("6fddc324-4e03-4bfe-b185-3d77768dc90f"));
    }
}
