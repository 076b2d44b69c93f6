/* NIK checks that need no server (structure, region code, birth date, sex), the same rules
   as jamsos/lib/nik.py: 16 digits; a known province (error) and kecamatan (warning); the
   day part minus 40 for women is a real date; serial not 0000; agrees with the declared
   birth date and sex. Messages come from the page (translated on the server). */
(function () {
  "use strict";
  var SEPARATORS = /[\s.\-\u2010-\u2015\u2212]+/g;

  function clean(raw) {
    return String(raw || "").trim().replace(/^'/, "").replace(SEPARATORS, "");
  }

  function format(template, params) {
    return String(template).replace(/\{(\w+)\}/g, function (m, key) {
      return params[key] !== undefined ? params[key] : m;
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function realDate(year, month, day) {
    var d = new Date(Date.UTC(year, month - 1, day));
    return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  }

  function check(raw, declaredDate, declaredSex, config) {
    var msg = config.messages, out = { errors: [], warnings: [] };
    var nik = clean(raw);
    var params = { raw: String(raw || "").trim() };
    if (!/^[0-9]{16}$/.test(nik)) {
      out.errors.push(format(msg.nik_format, params));
      return out;
    }
    params.province = nik.slice(0, 2);
    params.district = nik.slice(0, 2) + "." + nik.slice(2, 4) + "." + nik.slice(4, 6);
    params.part = nik.slice(6, 8) + "-" + nik.slice(8, 10) + "-" + nik.slice(10, 12);
    if (config.provinces.indexOf(nik.slice(0, 2)) < 0) {
      out.errors.push(format(msg.nik_province_unknown, params));
    } else if (nik.slice(0, 2) === config.ownProvince && config.districts.indexOf(nik.slice(0, 6)) < 0) {
      out.warnings.push(format(msg.nik_district_unknown, params));
    }
    var day = parseInt(nik.slice(6, 8), 10), month = parseInt(nik.slice(8, 10), 10);
    var yy = parseInt(nik.slice(10, 12), 10);
    var sex = day > 40 ? "P" : "L";
    if (sex === "P") { day -= 40; }
    var declared = declaredDate ? declaredDate.split("-").map(Number) : null;
    var now = new Date(), year;
    if (declared && declared[0] % 100 === yy) {
      year = declared[0];
    } else {
      year = 2000 + yy;
      if (year > now.getFullYear()) { year -= 100; }
    }
    var valid = month >= 1 && month <= 12 && day >= 1 && realDate(year, month, day) && year >= 1900;
    if (!valid) {
      out.errors.push(format(msg.nik_birthdate_invalid, params));
    }
    if (nik.slice(12) === "0000") {
      out.errors.push(format(msg.nik_serial_zero, params));
    }
    if (valid && declared && declared.length === 3) {
      if (declared[0] !== year || declared[1] !== month || declared[2] !== day) {
        params.nik_date = pad(day) + "-" + pad(month) + "-" + year;
        params.declared_date = pad(declared[2]) + "-" + pad(declared[1]) + "-" + declared[0];
        out.errors.push(format(msg.nik_birthdate_mismatch, params));
      }
    }
    if (valid && declaredSex && declaredSex !== sex) {
      params.nik_sex = config.sexLabels[sex];
      params.declared_sex = config.sexLabels[declaredSex];
      out.errors.push(format(msg.nik_sex_mismatch, params));
    }
    out.nik = nik;
    return out;
  }

  window.JamsosNik = { check: check, clean: clean };
})();
