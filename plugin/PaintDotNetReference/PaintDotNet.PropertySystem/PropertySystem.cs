using System;
using System.Collections;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;

namespace PaintDotNet.PropertySystem
{
    public abstract class Property : ICloneable, INotifyPropertyChanged
    {
        internal Property(object name) => Name = name.ToString()!;
        public string Name { get; }
        public object? Value { get => BoxedValue; set => BoxedValue = value; }
        internal abstract object? BoxedValue { get; set; }
        public abstract object Clone();
        public event PropertyChangedEventHandler? PropertyChanged;
        internal void Raise() => PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(nameof(Value)));
    }

    public abstract class Property<T> : Property, ICloneable, INotifyPropertyChanged
    {
        T _value;
        internal Property(object name, T defaultValue) : base(name) { _value = defaultValue; DefaultValue = defaultValue; }
        public T DefaultValue { get; }
        public new T Value { get => _value; set { _value = Validate(value); Raise(); } }
        internal override object? BoxedValue { get => _value; set => Value = (T)value!; }
        internal virtual T Validate(T value) => value;
    }

    public abstract class ScalarProperty<T> : Property<T>, ICloneable, INotifyPropertyChanged where T : struct, IComparable<T>
    {
        internal ScalarProperty(object name, T defaultValue, T minValue, T maxValue) : base(name, defaultValue)
        {
            MinValue = minValue;
            MaxValue = maxValue;
        }
        public T MinValue { get; }
        public T MaxValue { get; }
        internal override T Validate(T value) =>
            value.CompareTo(MinValue) < 0 || value.CompareTo(MaxValue) > 0
                ? throw new ArgumentOutOfRangeException(Name, $"{value} is outside [{MinValue}, {MaxValue}]")
                : value;
    }

    public sealed class DoubleProperty : ScalarProperty<double>, ICloneable, INotifyPropertyChanged
    {
        public DoubleProperty(object name, double defaultValue, double minValue, double maxValue) : base(name, defaultValue, minValue, maxValue) { }
        public override object Clone() => new DoubleProperty(Name, DefaultValue, MinValue, MaxValue) { Value = Value };
    }

    public sealed class Int32Property : ScalarProperty<int>, ICloneable, INotifyPropertyChanged
    {
        public Int32Property(object name, int defaultValue, int minValue, int maxValue) : base(name, defaultValue, minValue, maxValue) { }
        public override object Clone() => new Int32Property(Name, DefaultValue, MinValue, MaxValue) { Value = Value };
    }

    public sealed class StringProperty : Property<string>, ICloneable, INotifyPropertyChanged
    {
        public StringProperty(object name, string defaultValue) : base(name, defaultValue) { }
        public override object Clone() => new StringProperty(Name, DefaultValue) { Value = Value };
    }

    public sealed class StaticListChoiceProperty : Property<object>, ICloneable, INotifyPropertyChanged
    {
        public StaticListChoiceProperty(object name, object[] valueChoices, int defaultChoiceIndex)
            : base(name, valueChoices[defaultChoiceIndex]) { ValueChoices = valueChoices; }
        public object[] ValueChoices { get; }
        public static StaticListChoiceProperty CreateForEnum<TEnum>(object name, TEnum defaultValue) where TEnum : Enum
        {
            var choices = Enum.GetValues(typeof(TEnum)).Cast<object>().ToArray();
            return new StaticListChoiceProperty(name, choices, Array.IndexOf(choices, defaultValue));
        }
        internal override object Validate(object value) =>
            ValueChoices.Contains(value) ? value : throw new ArgumentOutOfRangeException(Name, $"{value} is not one of the choices");
        public override object Clone() => new StaticListChoiceProperty(Name, ValueChoices,
            Array.IndexOf(ValueChoices, DefaultValue)) { Value = Value };
    }

    public sealed class PropertyCollection : INotifyPropertyChanged, IEnumerable<Property>, IEnumerable, ICloneable
    {
        readonly List<Property> _properties;
        public PropertyCollection(IEnumerable<Property> properties) => _properties = properties.ToList();
        public Property this[object propertyName] => _properties.First(p => p.Name == propertyName.ToString());
        public IEnumerator<Property> GetEnumerator() => _properties.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        public object Clone() => new PropertyCollection(_properties.Select(p => (Property)p.Clone()));
        public event PropertyChangedEventHandler? PropertyChanged;
    }
}
