using System;
using System.Collections.Generic;
using System.Threading;
using PaintDotNet.AppModel;
using PaintDotNet.ComponentModel;
using PaintDotNet.Imaging;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PaintDotNet.Rendering;

namespace PaintDotNet.Effects
{
    public static class SubmenuNames
    {
        public static string Photo { get; } = "Photo";
        public static string Render { get; } = "Render";
    }

    public interface IEffectOptions { }

    public record EffectOptionsBase : PluginOptions, IEffectOptions
    {
        public bool IsConfigurable { get; set; }
    }

    public abstract record BitmapEffectOptionsFactory : EffectOptionsBase
    {
        public static BitmapEffectOptions Create() => new();
    }

    public record BitmapEffectOptions : BitmapEffectOptionsFactory;

    public abstract class EffectConfigToken : ICloneable
    {
        protected EffectConfigToken() { }
        public abstract object Clone();
    }

    public sealed class PropertyBasedEffectConfigToken : EffectConfigToken, ICloneable
    {
        public PropertyBasedEffectConfigToken(PropertyCollection propertyCollection) => Properties = propertyCollection;
        public PropertyCollection Properties { get; }
        public T? GetProperty<T>(object propertyName) where T : Property => Properties[propertyName] as T;
        public bool SetPropertyValue(object propertyName, object newValue) { Properties[propertyName].Value = newValue; return true; }
        public override object Clone() => new PropertyBasedEffectConfigToken((PropertyCollection)Properties.Clone());
    }

    public interface IEffectInputBitmap : IBitmapSource, IObjectRef, IIsDisposed, IDisposable, IInternalImpl
    {
        IBitmapLock Lock(RectInt32 rect);
    }

    public interface IEffectLayerInfo : IObjectRef, IIsDisposed, IDisposable, IInternalImpl
    {
        string Name { get; }
        bool Visible { get; }
        float Opacity { get; }
        IEffectInputBitmap GetBitmap(in PixelFormat pixelFormat);
    }

    public interface IBitmapEffectLayerInfo : IEffectLayerInfo, IObjectRef, IIsDisposed, IDisposable, IInternalImpl { }

    public interface IEffectDocumentInfo : IObjectRef, IIsDisposed, IDisposable, IInternalImpl
    {
        IReadOnlyList<IEffectLayerInfo> Layers { get; }
        SizeInt32 Size { get; }
    }

    public interface IBitmapEffectDocumentInfo : IEffectDocumentInfo, IObjectRef, IIsDisposed, IDisposable, IInternalImpl
    {
        new IReadOnlyList<IBitmapEffectLayerInfo> Layers { get; }
    }

    public interface IEffectSelectionInfo : IObjectRef, IIsDisposed, IDisposable, IInternalImpl
    {
        RectInt32 RenderBounds { get; }
        /// <summary>The rectangles the selection covers, in typewriter order.</summary>
        IReadOnlyList<RectInt32> RenderScans { get; }
    }

    public interface IBitmapEffectSelectionInfo : IEffectSelectionInfo, IObjectRef, IIsDisposed, IDisposable, IInternalImpl { }

    public interface IEffectEnvironment : IObjectRef, IIsDisposed, IDisposable, IInternalImpl
    {
        IEffectDocumentInfo Document { get; }
        IEffectSelectionInfo Selection { get; }
        int SourceLayerIndex { get; }
    }

    public interface IEffectEnvironment2 : IEffectEnvironment, IObjectRef, IIsDisposed, IDisposable, IInternalImpl { }

    public interface IBitmapEffectEnvironment : IEffectEnvironment2, IEffectEnvironment, IObjectRef, IIsDisposed, IDisposable, IInternalImpl
    {
        new IBitmapEffectDocumentInfo Document { get; }
        new IBitmapEffectSelectionInfo Selection { get; }
    }

    public enum BitmapEffectRenderingSchedule : long { None = 0, HorizontalStrips = 1, SquareTiles = 2 }

    [Flags]
    public enum BitmapEffectRenderingFlags : ulong
    {
        None = 0, SingleThreaded = 1, DisableSelectionClipping = 2, ForceAliasedSelectionQuality = 4,
        FirstTileIsRenderedWithBarrier = 8, UninitializedOutputBuffer = 16,
    }

    public interface IBitmapEffectRenderInfo : IInternalImpl
    {
        BitmapEffectRenderingFlags Flags { get; set; }
        BitmapEffectRenderingSchedule Schedule { get; set; }
        PixelFormat OutputPixelFormat { get; set; }
    }

    public interface IBitmapEffectOutput : IInternalImpl
    {
        RectInt32 Bounds { get; }
        PixelFormat PixelFormat { get; }
        IBitmapLock Lock(in PixelFormat pixelFormat);
    }

    public abstract class EffectBase : RefTrackedObject
    {
        internal EffectBase(string name, string? submenuName) { Name = name; SubmenuName = submenuName; }
        internal string Name { get; }
        internal string? SubmenuName { get; }
        internal CancellationTokenSource HostCancellation { get; set; } = new();
        protected bool IsCancelRequested => HostCancellation.IsCancellationRequested;
        protected CancellationToken CancellationToken => HostCancellation.Token;
        /// <summary>Paint.NET's services (its error dialog among them).</summary>
        protected IServiceProvider Services => HostServices ?? throw new InvalidOperationException("No services yet.");
        internal IServiceProvider? HostServices { get; set; }
        protected virtual void OnDispose(bool disposing) { }
        protected override sealed void Dispose(bool disposing) => OnDispose(disposing);
    }

    public abstract class BitmapEffect : EffectBase
    {
        protected BitmapEffect(string name, string? submenuName, BitmapEffectOptions options) : base(name, submenuName) => Options = options;
        protected BitmapEffect(string name, System.Drawing.Image image, string? submenuName, BitmapEffectOptions options)
            : this(name, submenuName, options) => Image = image;
        /// <summary>The menu icon the effect gave (the host's record; Paint.NET shows it in the Effects menu).</summary>
        internal System.Drawing.Image? Image { get; }
        internal BitmapEffectOptions Options { get; }
        internal IBitmapEffectEnvironment? HostEnvironment { get; set; }
        protected IBitmapEffectEnvironment Environment => HostEnvironment ?? throw new InvalidOperationException("No environment yet.");
        protected virtual void OnInitializeRenderInfo(IBitmapEffectRenderInfo renderInfo) { }
        protected abstract void OnRender(IBitmapEffectOutput output);
        protected virtual void OnSetToken(EffectConfigToken? newToken) { }
        protected override void OnDispose(bool disposing) { }
        internal void HostInitializeRenderInfo(IBitmapEffectRenderInfo info) => OnInitializeRenderInfo(info);
        internal void HostSetToken(EffectConfigToken? token) => OnSetToken(token);
        internal void HostRender(IBitmapEffectOutput output) => OnRender(output);
    }

    public abstract class BitmapEffect<TToken> : BitmapEffect where TToken : EffectConfigToken
    {
        protected BitmapEffect(string name, string? submenuName, BitmapEffectOptions options) : base(name, submenuName, options) { }
        protected BitmapEffect(string name, System.Drawing.Image image, string? submenuName, BitmapEffectOptions options)
            : base(name, image, submenuName, options) { }
        protected TToken? Token { get; private set; }
        protected override sealed void OnSetToken(EffectConfigToken? newToken) { Token = (TToken?)newToken; OnSetToken((TToken?)newToken); }
        protected virtual void OnSetToken(TToken? newToken) { }
    }

    public abstract class PropertyBasedBitmapEffect : BitmapEffect<PropertyBasedEffectConfigToken>
    {
        protected PropertyBasedBitmapEffect(string name, string? submenuName, BitmapEffectOptions options) : base(name, submenuName, options) { }
        protected PropertyBasedBitmapEffect(string name, System.Drawing.Image image, string? submenuName, BitmapEffectOptions options)
            : base(name, image, submenuName, options) { }
        public PropertyCollection CreatePropertyCollection() => OnCreatePropertyCollection();
        public ControlInfo CreateConfigUI(PropertyCollection props) => OnCreateConfigUI(props);
        public static ControlInfo CreateDefaultConfigUI(IEnumerable<Property> props) => new HostControlInfo(props);
        protected abstract PropertyCollection OnCreatePropertyCollection();
        protected virtual ControlInfo OnCreateConfigUI(PropertyCollection props) => CreateDefaultConfigUI(props);
        protected virtual void OnCustomizeConfigUIWindowProperties(PropertyCollection props) { }
        internal void HostCustomizeWindow(PropertyCollection props) => OnCustomizeConfigUIWindowProperties(props);
    }
}
