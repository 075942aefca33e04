"""Reference data of the registry: Liaoning's divisions and the plan's departments."""

from greentech.core.reference import loader, read_csv, table

CITY_SUFFIXES = ("市",)


@loader(10, "regions")
def regions():
    cities = read_csv("liaoning-admin-divisions/liaoning_cities.csv")
    counties = read_csv("liaoning-admin-divisions/liaoning_counties.csv")
    province_code = cities[0]["province_code"]
    rows = [
        {
            "code": f"{province_code}0000",
            "name": cities[0]["province_name"],
            "name_en": "Liaoning Province",
            "short_name": cities[0]["province_name"].removesuffix("省"),
            "level": "province",
            "parent": "",
        }
    ]
    for city in cities:
        rows.append(
            {
                "code": city["city_code_6"],
                "name": city["city_name"],
                "name_en": city["name_en"],
                "short_name": city["city_name"].removesuffix("市"),
                "level": "city",
                "parent": f"{province_code}0000",
            }
        )
    for county in counties:
        rows.append(
            {
                "code": county["county_code"],
                "name": county["county_name"],
                "name_en": county["name_en"],
                "short_name": "",
                "level": "county",
                "parent": f"{county['city_code']}00",
            }
        )
    yield "regions", table(["code", "name", "name_en", "short_name", "level", "parent"], rows)


@loader(20, "departments")
def departments():
    rows = read_csv("departments/departments.csv")
    yield "departments", table(["code", "short_name", "full_name", "name_en", "level"], rows)
