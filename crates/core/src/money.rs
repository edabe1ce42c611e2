//! Money done exactly: the currencies Atrium prices in, and line-item arithmetic on integers.
//!
//! Every amount, quantity and percentage is stored in hundredths (see
//! [`crate::metadata::DECIMAL_SCALE`]), so a product of two or three of them is exact in
//! `i128`; rounding happens once per result, half away from zero, to the currency's minor
//! unit. Currencies with three decimals (BHD, KWD, …) are not offered: amounts are kept to
//! two decimals.

/// ISO 4217 codes Atrium offers, with the number of decimals of their minor unit.
pub const CURRENCIES: &[(&str, u32)] = &[
    ("EUR", 2),
    ("USD", 2),
    ("GBP", 2),
    ("CHF", 2),
    ("CAD", 2),
    ("AUD", 2),
    ("NZD", 2),
    ("JPY", 0),
    ("CNY", 2),
    ("HKD", 2),
    ("SGD", 2),
    ("INR", 2),
    ("KRW", 0),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("ISK", 0),
    ("PLN", 2),
    ("CZK", 2),
    ("HUF", 2),
    ("RON", 2),
    ("BGN", 2),
    ("TRY", 2),
    ("UAH", 2),
    ("ILS", 2),
    ("AED", 2),
    ("SAR", 2),
    ("ZAR", 2),
    ("BRL", 2),
    ("MXN", 2),
    ("CLP", 0),
    ("THB", 2),
    ("VND", 0),
];

/// The decimals of `code`'s minor unit; None for a currency Atrium does not offer.
pub fn minor_digits(code: &str) -> Option<u32> {
    CURRENCIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, digits)| *digits)
}

/// One line's inputs, each in hundredths: 2.5 pieces at 12.00 less 10 % plus 19 % tax is
/// `{quantity: 250, unit_price: 1200, discount_percent: 1000, tax_percent: 1900}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineInput {
    pub quantity: i64,
    pub unit_price: i64,
    pub discount_percent: i64,
    pub tax_percent: i64,
}

/// One line's results in hundredths of the currency, each rounded to its minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineAmounts {
    /// Quantity × unit price.
    pub gross: i64,
    /// What the discount takes off the gross.
    pub discount: i64,
    /// Gross less discount.
    pub net: i64,
    /// The net's tax.
    pub tax: i64,
}

/// The sums of a record's lines, in hundredths of the currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Sum of the lines' nets (after their discounts).
    pub subtotal: i64,
    pub discount_total: i64,
    pub tax_total: i64,
    pub total: i64,
}

/// `numerator / denominator` rounded half away from zero to a multiple of `step`.
fn round_to(numerator: i128, denominator: i128, step: i128) -> i128 {
    let denominator = denominator * step;
    let half = denominator / 2;
    let units = if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    };
    units * step
}

fn to_i64(value: i128) -> Option<i64> {
    i64::try_from(value).ok()
}

/// Prices one line in a currency with `digits` decimals: the gross and the net are each
/// rounded from the exact product (so the discount is their difference), then the tax from
/// the rounded net. None when a figure would not fit.
pub fn price_line(line: LineInput, digits: u32) -> Option<LineAmounts> {
    // One minor unit in hundredths: 1 for cents, 100 for whole yen.
    let step = 10_i128.pow(2_u32.saturating_sub(digits));
    let quantity = i128::from(line.quantity);
    let price = i128::from(line.unit_price);
    // quantity (÷100) × price (hundredths) = hundredths × 100.
    let product = quantity.checked_mul(price)?;
    let gross = round_to(product, 100, step);
    let kept = 100 * 100 - i128::from(line.discount_percent);
    let net = round_to(product.checked_mul(kept)?, 100 * 100 * 100, step);
    let tax = round_to(
        net.checked_mul(i128::from(line.tax_percent))?,
        100 * 100,
        step,
    );
    Some(LineAmounts {
        gross: to_i64(gross)?,
        discount: to_i64(gross - net)?,
        net: to_i64(net)?,
        tax: to_i64(tax)?,
    })
}

/// Sums priced lines; None on overflow.
pub fn total(lines: &[LineAmounts]) -> Option<Totals> {
    let mut totals = Totals::default();
    for line in lines {
        totals.subtotal = totals.subtotal.checked_add(line.net)?;
        totals.discount_total = totals.discount_total.checked_add(line.discount)?;
        totals.tax_total = totals.tax_total.checked_add(line.tax)?;
    }
    totals.total = totals.subtotal.checked_add(totals.tax_total)?;
    Some(totals)
}

/// `hundredths` as text with the currency's decimals and no grouping: `2160.00`, `1500`.
pub fn format_amount(hundredths: i64, digits: u32) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let whole = (hundredths / 100).unsigned_abs();
    let cents = (hundredths % 100).unsigned_abs();
    match digits {
        0 => format!("{sign}{whole}"),
        _ => format!("{sign}{whole}.{cents:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(quantity: i64, unit_price: i64, discount: i64, tax: i64) -> LineInput {
        LineInput {
            quantity,
            unit_price,
            discount_percent: discount,
            tax_percent: tax,
        }
    }

    #[test]
    fn the_apis_example_prices_exactly() {
        // 2 × 1200.00 less 10 % = 2160.00; 19 % tax = 410.40.
        let priced = price_line(line(200, 120_000, 1_000, 1_900), 2).expect("fits");
        assert_eq!(priced.net, 216_000);
        assert_eq!(priced.discount, 24_000);
        assert_eq!(priced.tax, 41_040);
        let totals = total(&[priced]).expect("fits");
        assert_eq!(totals.total, 257_040);
        assert_eq!(format_amount(totals.total, 2), "2570.40");
    }

    #[test]
    fn halves_round_away_from_zero_per_line() {
        // 3 × 0.35 less 50 % = 0.525 → 0.53; a credit line the same way down.
        assert_eq!(
            price_line(line(300, 35, 5_000, 0), 2).map(|l| l.net),
            Some(53)
        );
        assert_eq!(
            price_line(line(300, -35, 5_000, 0), 2).map(|l| l.net),
            Some(-53)
        );
        // 0.333… hours at 10.00 = 3.33; tax 7 % of 3.33 = 0.2331 → 0.23.
        let priced = price_line(line(33, 1_000, 0, 700), 2).expect("fits");
        assert_eq!((priced.net, priced.tax), (330, 23));
        // Three lines of 0.005 tax do not add up to 0.015 → 0.02: each line is rounded.
        let lines: Vec<LineAmounts> = (0..3)
            .map(|_| price_line(line(100, 5, 0, 10_000), 2).expect("fits"))
            .collect();
        assert_eq!(total(&lines).map(|t| t.tax_total), Some(15));
    }

    #[test]
    fn whole_unit_currencies_round_to_whole_units() {
        // ¥1,234 less 5 % = 1172.3 → ¥1172; 10 % tax = 117.2 → ¥117.
        let priced = price_line(line(100, 123_400, 500, 1_000), 0).expect("fits");
        assert_eq!((priced.net, priced.tax), (117_200, 11_700));
        assert_eq!(format_amount(priced.net, 0), "1172");
    }

    #[test]
    fn zero_quantity_and_full_discount_cost_nothing() {
        let zero = price_line(line(0, 99_999, 0, 1_900), 2).expect("fits");
        assert_eq!(zero, LineAmounts::default());
        let free = price_line(line(100, 5_000, 10_000, 1_900), 2).expect("fits");
        assert_eq!(
            (free.gross, free.discount, free.net, free.tax),
            (5_000, 5_000, 0, 0)
        );
    }

    #[test]
    fn several_tax_rates_sum_per_line() {
        let lines = [
            price_line(line(100, 10_000, 0, 1_900), 2).expect("fits"),
            price_line(line(200, 2_550, 0, 700), 2).expect("fits"),
            price_line(line(100, 999, 0, 0), 2).expect("fits"),
        ];
        let totals = total(&lines).expect("fits");
        assert_eq!(totals.subtotal, 10_000 + 5_100 + 999);
        assert_eq!(totals.tax_total, 1_900 + 357);
        assert_eq!(totals.total, 16_099 + 2_257);
    }

    #[test]
    fn huge_figures_are_refused_not_wrapped() {
        assert!(price_line(line(i64::MAX, i64::MAX, 0, 0), 2).is_none());
        let big = price_line(line(100, i64::MAX / 2, 0, 0), 2).expect("fits");
        assert!(total(&[big, big, big]).is_none());
    }

    #[test]
    fn amounts_format_with_the_currencys_decimals() {
        assert_eq!(format_amount(-5, 2), "-0.05");
        assert_eq!(format_amount(100, 2), "1.00");
        assert_eq!(format_amount(150_000, 0), "1500");
        assert_eq!(minor_digits("JPY"), Some(0));
        assert_eq!(minor_digits("XXX"), None);
    }
}
