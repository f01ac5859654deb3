using System;
using System.Collections.Generic;

namespace PaintDotNet.AppModel
{
    public abstract record PluginOptions;

    [Flags]
    public enum ExceptionDetailOptions : long { Default = 0, ExcludeDiagnostics = 1 }

    /// <summary>Paint.NET's error dialog, from the effect's <c>Services</c>: a message, and details behind a button.</summary>
    public interface IExceptionDialogService : PaintDotNet.IInternalImpl
    {
        void ShowErrorDialog(System.Windows.Forms.IWin32Window? owner, Exception exception,
            ExceptionDetailOptions exceptionDetailOptions = ExceptionDetailOptions.Default);
        void ShowErrorDialog(System.Windows.Forms.IWin32Window? owner, string? message, Exception exception,
            ExceptionDetailOptions exceptionDetailOptions = ExceptionDetailOptions.Default);
        void ShowErrorDialog(System.Windows.Forms.IWin32Window? owner, string? message, string detailsText);
    }
}

namespace PaintDotNet.IndirectUI
{
    public enum ControlInfoPropertyNames
    {
        DisplayName = 0, Description = 1, ControlType = 2, ButtonText = 3, UseExponentialScale = 4, DecimalPlaces = 5,
        SliderSmallChange = 6, SliderLargeChange = 9, UpDownIncrement = 12, ShowResetButton = 17, WindowTitle = 21, Footnote = 28,
        WindowHelpContentType = 32, WindowHelpContent = 33,
    }

    public enum WindowHelpContentType { None = 0, PlainText = 1, CustomViaCallback = 2 }

    public enum PropertyControlType
    {
        AngleChooser = 0, CheckBox = 1, PanAndSlider = 2, Slider = 3, IncrementButton = 4, DropDown = 5, TextBox = 6, RadioButton = 7,
        ColorWheel = 8, RollBallAndSliders = 9, FileChooser = 10, LinkLabel = 11, FolderChooser = 12, Null = 13, Label = 14,
    }

    public abstract class ControlInfo : ICloneable
    {
        internal ControlInfo(IEnumerable<PaintDotNet.PropertySystem.Property> properties)
        {
            // Paint.NET's default control for each kind of property.
            foreach (var property in properties)
                Types[property.Name] = property switch
                {
                    PaintDotNet.PropertySystem.StaticListChoiceProperty => PropertyControlType.DropDown,
                    _ => PropertyControlType.Slider,
                };
        }

        /// <summary>What the plugin asked for and Paint.NET would show, so the test host can check the dialog's set-up.</summary>
        internal Dictionary<(string Property, string Control), object?> Values { get; } = new();
        internal Dictionary<string, PropertyControlType> Types { get; } = new();
        /// <summary>Settings Paint.NET would ignore (returning false): nobody would ever see them.</summary>
        internal List<string> Ignored { get; } = new();

        /// <summary>
        /// As IndirectUI does, refuses (returns false, shows nothing) a setting the property's current
        /// control does not support: a <c>Footnote</c> shows only on a check box, a reset button and
        /// slider increments only on sliders.
        /// </summary>
        public bool SetPropertyControlValue(object propertyName, object controlPropertyName, object? propertyValue)
        {
            string name = propertyName.ToString()!;
            var control = Types.TryGetValue(name, out var type) ? type : PropertyControlType.Null;
            bool slider = control is PropertyControlType.Slider or PropertyControlType.PanAndSlider;
            bool supported = controlPropertyName switch
            {
                ControlInfoPropertyNames.Footnote => control == PropertyControlType.CheckBox,
                ControlInfoPropertyNames.ButtonText => control == PropertyControlType.IncrementButton,
                ControlInfoPropertyNames.ShowResetButton or ControlInfoPropertyNames.SliderSmallChange or ControlInfoPropertyNames.SliderLargeChange
                    or ControlInfoPropertyNames.UpDownIncrement or ControlInfoPropertyNames.DecimalPlaces
                    or ControlInfoPropertyNames.UseExponentialScale => slider,
                _ => control != PropertyControlType.Null,
            };
            if (!supported)
            {
                Ignored.Add($"{controlPropertyName} on {name} ({control})");
                return false;
            }
            Values[(name, controlPropertyName.ToString()!)] = propertyValue;
            return true;
        }

        public bool SetPropertyControlType(object propertyName, PropertyControlType newControlType)
        {
            Types[propertyName.ToString()!] = newControlType;
            return true;
        }

        /// <summary>The control of a property (null when there is none), for settings such as choice names.</summary>
        public PropertyControlInfo FindControlForPropertyName(object propertyName) =>
            Types.ContainsKey(propertyName.ToString()!) ? new HostPropertyControlInfo(this, propertyName.ToString()!) : null!;

        /// <summary>The names the dialog shows for a choice property's values.</summary>
        internal Dictionary<(string Property, string Value), string> ValueDisplayNames { get; } = new();

        public abstract object Clone();
    }

    public abstract class PropertyControlInfo
    {
        internal PropertyControlInfo() { }
        /// <summary>The text a drop-down or radio button shows for one of the property's values.</summary>
        public abstract void SetValueDisplayName(object value, string displayName);
    }

    internal sealed class HostPropertyControlInfo(ControlInfo owner, string property) : PropertyControlInfo
    {
        public override void SetValueDisplayName(object value, string displayName) =>
            owner.ValueDisplayNames[(property, value.ToString()!)] = displayName;
    }

    internal sealed class HostControlInfo(IEnumerable<PaintDotNet.PropertySystem.Property> properties) : ControlInfo(properties)
    {
        public override object Clone() => new HostControlInfo([]);
    }
}

namespace PaintDotNet
{
    // Paint.NET 5.1's plugin support info (PaintDotNet.Core.dll, namespace PaintDotNet; paintdotnet/apidocs):
    // what its plugin-error and plugin-list dialogs show about a plugin.
    public interface IPluginSupportInfo
    {
        string? Author { get; }
        string? Copyright { get; }
        string? DisplayName { get; }
        Version? Version { get; }
        Uri? WebsiteUri { get; }
    }

    [AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
    public class PluginSupportInfoAttribute : Attribute, IPluginSupportInfo
    {
        public PluginSupportInfoAttribute() { }

        public PluginSupportInfoAttribute(Type pluginSupportInfoOrProviderType) => SupportInfoType = pluginSupportInfoOrProviderType;

        public PluginSupportInfoAttribute(string? displayName, string? author, string? copyright, Version? version, Uri? websiteUri)
        {
            (DisplayName, Author, Copyright, WebsiteUri) = (displayName, author, copyright, websiteUri);
            Version = version ?? new Version();
        }

        /// <summary>The stand-in's own record of the type given (the host reads the info from it).</summary>
        internal Type? SupportInfoType { get; }

        public string? DisplayName { get; set; }
        public string? Author { get; set; }
        public string? Copyright { get; set; }
        public Version Version { get; set; } = new();
        public Uri? WebsiteUri { get; set; }
    }

    public sealed class PluginSupportInfoAttribute<T> : PluginSupportInfoAttribute, IPluginSupportInfo where T : IPluginSupportInfo, new()
    {
        public PluginSupportInfoAttribute() : base(typeof(T)) { }
    }
}
