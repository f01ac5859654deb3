using System;
using PaintDotNet.ComponentModel;
using PaintDotNet.Rendering;

namespace PaintDotNet.Imaging
{
    public interface IBitmapSource : IObjectRef, IIsDisposed, IDisposable
    {
        SizeInt32 Size { get; }
    }

    public unsafe interface IBitmapLock : IObjectRef, IIsDisposed, IDisposable
    {
        void* Buffer { get; }
        int BufferStride { get; }
        SizeInt32 Size { get; }
    }
}
