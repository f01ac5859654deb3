using System;

namespace PaintDotNet
{
    public interface IIsDisposed : IDisposable { bool IsDisposed { get; } }
    public interface IInternalImpl { }
}

namespace PaintDotNet.ComponentModel
{
    public interface IObjectRef : IIsDisposed, IDisposable { }

    public class RefTrackedObject : IObjectRef, IIsDisposed, IDisposable
    {
        public RefTrackedObject() { }
        public bool IsDisposed { get; private set; }
        public void Dispose() { if (IsDisposed) return; Dispose(true); IsDisposed = true; GC.SuppressFinalize(this); }
        protected virtual void Dispose(bool disposing) { }
    }
}
