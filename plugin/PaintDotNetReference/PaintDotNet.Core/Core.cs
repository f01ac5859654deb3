using System;
using System.Collections.Generic;

namespace PaintDotNet.AppModel
{
    public abstract record PluginOptions;
}

namespace PaintDotNet.IndirectUI
{
    public enum ControlInfoPropertyNames
    {
        DisplayName = 0, Description = 1, ControlType = 2, ButtonText = 3, UseExponentialScale = 4, DecimalPlaces = 5,
        SliderSmallChange = 6, SliderLargeChange = 9, UpDownIncrement = 12, ShowResetButton = 17, WindowTitle = 21, Footnote = 28,
    }

    public enum PropertyControlType
    {
        AngleChooser = 0, CheckBox = 1, PanAndSlider = 2, Slider = 3, IncrementButton = 4, DropDown = 5, TextBox = 6, RadioButton = 7,
        ColorWheel = 8, RollBallAndSliders = 9, FileChooser = 10, LinkLabel = 11, FolderChooser = 12, Null = 13, Label = 14,
    }

    public abstract class ControlInfo : ICloneable
    {
        internal ControlInfo() { }
        /// <summary>What the plugin asked for, so the test host can check the dialog's set-up.</summary>
        internal Dictionary<(string Property, string Control), object?> Values { get; } = new();
        internal Dictionary<string, PropertyControlType> Types { get; } = new();

        public bool SetPropertyControlValue(object propertyName, object controlPropertyName, object? propertyValue)
        {
            Values[(propertyName.ToString()!, controlPropertyName.ToString()!)] = propertyValue;
            return true;
        }

        public bool SetPropertyControlType(object propertyName, PropertyControlType newControlType)
        {
            Types[propertyName.ToString()!] = newControlType;
            return true;
        }

        public abstract object Clone();
    }

    internal sealed class HostControlInfo : ControlInfo
    {
        public override object Clone() => new HostControlInfo();
    }
}
